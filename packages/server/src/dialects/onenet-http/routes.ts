// OneNET's southbound OTA contract (protocols.md §2) in both path styles, D1 `/ota/…` and D2
// `/ota/south/…`: the route table. One handler per message in handlers/; devices authenticate
// with OneNET's Authorization token (authenticate.ts); answers are envelopes (envelope.ts).
import type { FastifyInstance } from 'fastify';
import type { OneNetContext } from './context.ts';
import { bodyLimit, useOneNetEnvelopes } from './envelope.ts';
import { check } from './handlers/check.ts';
import { devInfo } from './handlers/dev-info.ts';
import { download } from './handlers/download.ts';
import { reportHealth } from './handlers/health.ts';
import { refuseOffer } from './handlers/refuse.ts';
import { reportStep } from './handlers/report.ts';
import { tasking } from './handlers/tasking.ts';
import { tokenCheck } from './handlers/token-check.ts';
import { readVersions, reportVersion } from './handlers/version.ts';

export async function registerOneNetRoutes(app: FastifyInstance, ctx: OneNetContext): Promise<void> {
  useOneNetEnvelopes(app, 'json');
  const json = { bodyLimit };
  for (const [prefix, paths] of [
    ['/ota/south', 'd2'],
    ['/ota', 'd1'],
  ] as const) {
    app.get(`${prefix}/check`, check(ctx, paths));
    app.get(`${prefix}/download/:token/check`, tokenCheck(ctx, paths));
    app.post(`${prefix}/download/:token/refuse`, json, refuseOffer(ctx, paths));
    app.get(`${prefix}/download/:token`, download(ctx));
    app.post(`${prefix}/report`, json, reportStep(ctx, 'report', paths));
  }
  app.post('/ota/south/device/download/:token/progress', json, reportStep(ctx, 'progress', 'd2'));
  app.post('/ota/south/device/health', json, reportHealth(ctx));
  app.post('/ota/device/version', json, reportVersion(ctx));
  app.get('/ota/device/version', readVersions(ctx));
  app.get('/ota/south/tasking', tasking(ctx));
  app.get('/ota/devInfo', devInfo(ctx));
  app.post('/ota/devInfo', json, devInfo(ctx));
}

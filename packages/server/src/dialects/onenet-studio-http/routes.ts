// OneNET Studio's southbound OTA API (protocols.md §2.10, "fuse-ota"), under each configured
// prefix (`/fuse-ota`, as at iot-api.heclouds.com, and `/ota`, the older studio-ota base): the
// route table. One handler per message in handlers/; devices authenticate with OneNET's
// Authorization token (version 2022-05-01 or 2018-10-31); answers are Studio envelopes.
import type { FastifyInstance } from 'fastify';
import { bodyLimit, useOneNetEnvelopes } from '../onenet-http/envelope.ts';
import type { StudioContext } from './context.ts';
import { studioEnvelope } from './envelope.ts';
import { check } from './handlers/check.ts';
import { download } from './handlers/download.ts';
import { reportHealth } from './handlers/health.ts';
import { reportStatus } from './handlers/status.ts';
import { taskStatus } from './handlers/task-status.ts';
import { readVersions, reportVersion } from './handlers/version.ts';

/** What the OpenAPI document says of a route (no validation: a device gets Studio's codes). */
const about = (summary: string) => ({
  schema: {
    tags: ['device API'],
    security: [],
    summary: `OneNET Studio: ${summary}`,
    description:
      'Authorization: the OneNET token of docs/device-http.md (version 2022-05-01 or 2018-10-31). Answers {code, msg, data?, request_id}; docs/device-http.md, "OneNET Studio".',
  },
});

export async function registerStudioRoutes(
  app: FastifyInstance,
  ctx: StudioContext,
  prefixes: readonly string[],
): Promise<void> {
  useOneNetEnvelopes(app, 'json', studioEnvelope);
  for (const prefix of prefixes) {
    const device = `${prefix}/:pro_id/:dev_name`;
    app.post(`${device}/version`, { bodyLimit, ...about('report versions') }, reportVersion(ctx));
    app.get(`${device}/version`, about('the versions last reported'), readVersions(ctx));
    app.get(`${device}/check`, about('check for a task (type, version)'), check(ctx));
    app.get(`${device}/:tid/download`, about("download the task's file (Range, Ota-Errno)"), download(ctx));
    app.post(
      `${device}/:tid/status`,
      { bodyLimit, ...about('report a step or result code') },
      reportStatus(ctx),
    );
    app.get(`${device}/:tid/check`, about("the task's status"), taskStatus(ctx));
    app.post(
      `${device}/:tid/health`,
      { bodyLimit, ...about("the device's health after the install (a plan's health window)") },
      reportHealth(ctx),
    );
  }
}

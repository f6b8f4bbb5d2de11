// The event stream crosses instances: a change made through one instance reaches a client of
// another through the database, and a client that reconnects with Last-Event-ID gets what it missed.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { openDatabase } from '../../../adapters/db/database.ts';
import { type App, buildApp } from '../../../app.ts';
import { loadConfig } from '../../../config/config.ts';
import { openEventStream, type StreamEvent } from '../../../test-support/event-stream-client.ts';
import { seedFleet, seedPackage } from '../../../test-support/plan-fleet.ts';
import { createTestApp, type TestApp } from '../../../test-support/test-app.ts';
import { skipReason } from '../../../test-support/test-database.ts';

const skip = (await skipReason()) ?? false;

describe('event stream', { skip }, () => {
  let t: TestApp;
  let other: App;
  let base: string;
  let auth: Record<string, string>;
  before(async () => {
    t = await createTestApp();
    await t.app.scheduler.stop();
    // A second instance on the same database, through its own connection.
    const config = loadConfig(
      {},
      { dataDir: t.dataDir, logLevel: 'silent', databaseUrl: t.testDatabase.url },
    );
    other = await buildApp(config, {
      database: openDatabase(config.database),
      scheduler: false,
      deltaRunner: false,
    });
    await other.http.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(other.http.server.address() as AddressInfo).port}`;
    const key = await other.services.accounts.createApiKey(null, { name: 'stream viewer', role: 'viewer' });
    auth = { authorization: `Bearer ${key.secret}` };
  });
  after(async () => {
    await other.close();
    await other.database.close();
    await t.close();
  });

  const data = (event: StreamEvent) => JSON.parse(event.data) as Record<string, unknown>;

  it('is refused without a session or API key', async () => {
    const stream = await openEventStream(`${base}/api/v1/events`, {});
    assert.equal(stream.status, 401);
    stream.close();
  });

  it('follows a plan changed through another instance, and resumes after a reconnect with Last-Event-ID', async () => {
    const fleet = await seedFleet(t.app.database, 3);
    const packageId = await seedPackage(t.app.database, fleet.productId, '2.0');
    const stream = await openEventStream(`${base}/api/v1/events`, auth);
    assert.equal(stream.status, 200);
    const ready = await stream.next((e) => e.event === 'ready');
    assert.ok(ready.id !== undefined, 'the ready event gives a resume point');

    const plan = (
      await t.admin.post('/api/v1/plans', {
        name: 'streamed',
        productId: fleet.productId,
        firmwarePackageId: packageId,
        target: { kind: 'all' },
      })
    ).json() as { id: number };
    await t.admin.post(`/api/v1/plans/${plan.id}/publish`, {});
    const published = await stream.next((e) => e.event === 'plan' && data(e)['planId'] === plan.id);
    assert.equal(data(published)['to'], 'running');
    await t.app.scheduler.tick();
    const pushed = await stream.next((e) => e.event === 'device_upgrade' && data(e)['planId'] === plan.id);
    assert.equal(data(pushed)['count'], 3);
    const resumeAt = stream.lastEventId()!;
    stream.close();

    // Missed while away: the pause.
    await t.admin.post(`/api/v1/plans/${plan.id}/pause`, {});
    const again = await openEventStream(`${base}/api/v1/events?planId=${plan.id}`, {
      ...auth,
      'last-event-id': resumeAt,
    });
    const paused = await again.next((e) => e.event === 'plan');
    assert.deepEqual([data(paused)['from'], data(paused)['to']], ['running', 'paused']);
    assert.ok(Number(paused.id) > Number(resumeAt));
    again.close();
  });

  it('refuses an unknown kind and a malformed Last-Event-ID', async () => {
    const kinds = await other.http.inject({ method: 'GET', url: '/api/v1/events?kinds=nope', headers: auth });
    assert.equal(kinds.json().code, 'VALIDATION_FAILED');
    const id = await other.http.inject({
      method: 'GET',
      url: '/api/v1/events',
      headers: { ...auth, 'last-event-id': 'x' },
    });
    assert.equal(id.json().code, 'VALIDATION_FAILED');
  });
});

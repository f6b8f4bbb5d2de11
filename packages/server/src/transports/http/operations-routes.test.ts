import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { seedFleet, seedPackage } from '../../test-support/plan-fleet.ts';
import { parsePrometheusText } from '../../test-support/prometheus-text.ts';
import { createTestApp, type TestApp } from '../../test-support/test-app.ts';
import { skipReason } from '../../test-support/test-database.ts';

const skip = (await skipReason()) ?? false;
const metricsToken = 'scrape-token-for-tests-0123456789';

describe('GET /metrics', { skip }, () => {
  let t: TestApp;
  let base: string;
  before(async () => {
    t = await createTestApp({ metricsToken, mqttPort: 0, mqttHost: '127.0.0.1' });
    await t.app.http.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(t.app.http.server.address() as AddressInfo).port}`;
  });
  after(() => t.close());

  const scrape = async () => {
    const answer = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } });
    assert.equal(answer.status, 200);
    assert.match(answer.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    return parsePrometheusText(await answer.text());
  };

  it('answers only a scraper with the token', async () => {
    const none = await fetch(`${base}/metrics`);
    assert.equal(none.status, 401);
    assert.equal(((await none.json()) as { code: string }).code, 'UNAUTHENTICATED');
    const wrong = await fetch(`${base}/metrics`, {
      headers: { authorization: 'Bearer not-the-token-at-all-xx' },
    });
    assert.equal(wrong.status, 401);
  });

  it("counts requests by route pattern and status, a plan's upgrades by status, and the scheduler's passes", async () => {
    await t.app.scheduler.stop();
    const fleet = await seedFleet(t.app.database, 4);
    const packageId = await seedPackage(t.app.database, fleet.productId, '2.0');
    const created = await t.admin.post('/api/v1/plans', {
      name: 'metrics plan',
      productId: fleet.productId,
      firmwarePackageId: packageId,
      target: { kind: 'all' },
    });
    assert.equal(created.statusCode, 201, created.body);
    const planId = created.json().id as number;
    for (let i = 0; i < 3; i++) assert.equal((await fetch(`${base}/api/v1/plans/${planId}`)).status, 401);
    await t.admin.post(`/api/v1/plans/${planId}/publish`, {});
    await t.app.scheduler.tick();
    t.app.scheduler.start();
    await t.app.startMqtt();

    let metrics = await scrape();
    // The scheduler's loop has run at least once by the time its first pass is measured.
    for (
      let i = 0;
      i < 100 && metrics.find('updraft_scheduler_tick_duration_seconds_count')[0]?.value === 0;
      i++
    ) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      metrics = await scrape();
    }
    assert.equal(metrics.types.get('updraft_http_requests_total'), 'counter');
    assert.equal(
      metrics.value('updraft_http_requests_total', {
        route: '/api/v1/plans/:id',
        method: 'GET',
        status: '401',
      }),
      3,
    );
    assert.equal(metrics.value('updraft_upgrades', { plan: String(planId), status: 'pushed' }), 4);
    assert.equal(metrics.types.get('updraft_upgrades'), 'gauge');
    assert.ok(metrics.value('updraft_scheduler_tick_duration_seconds_count') >= 1);
    assert.ok(metrics.value('updraft_scheduler_lag_seconds') >= 0);
    assert.equal(metrics.value('updraft_device_connections', { transport: 'mqtt' }), 0);
    assert.equal(metrics.value('updraft_event_stream_clients'), 0);
    assert.ok(metrics.find('process_cpu_user_seconds_total').length === 1, 'Node process metrics beside');
    if (t.app.database.dialect === 'postgres') {
      assert.equal(metrics.value('updraft_db_pool_connections', { state: 'max' }), 10);
    } else {
      assert.deepEqual(metrics.find('updraft_db_pool_connections'), []);
    }
  });
});

describe('GET /metrics without a token', { skip }, () => {
  it('is not served', async () => {
    const t = await createTestApp();
    try {
      const answer = await t.anonymous.get('/metrics');
      assert.equal(answer.statusCode, 404);
      assert.equal(answer.json().code, 'ROUTE_NOT_FOUND');
    } finally {
      await t.close();
    }
  });
});

describe('GET /healthz and GET /readyz', { skip }, () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ mqttPort: 0, mqttHost: '127.0.0.1' });
  });
  after(() => t.close());

  it('healthz answers while readyz names the broker that has not started yet', async () => {
    assert.deepEqual((await t.anonymous.get('/healthz')).json(), { ok: true });
    const answer = await t.anonymous.get('/readyz');
    assert.equal(answer.statusCode, 503);
    const body = answer.json();
    assert.equal(body.code, 'NOT_READY');
    assert.deepEqual(body.details.failed, ['broker']);
    assert.equal(body.details.checks.database.ok, true);
    assert.equal(body.details.checks.blobStore.ok, true);
  });

  it('is ready once the broker listens, and names the blob store when its folder refuses writes', async () => {
    await t.app.startMqtt();
    const ready = await t.anonymous.get('/readyz');
    assert.equal(ready.statusCode, 200, ready.body);
    assert.deepEqual(Object.keys(ready.json().checks).sort(), ['blobStore', 'broker', 'database', 'storage']);
    // Where the fs store keeps its temporary copies is taken by a file: no blob can be written.
    const tmp = join(t.dataDir, 'firmware', '.tmp');
    rmSync(tmp, { recursive: true, force: true });
    writeFileSync(tmp, 'in the way');
    t.clock.advance(60_000);
    const broken = await t.anonymous.get('/readyz');
    assert.equal(broken.statusCode, 503);
    assert.deepEqual(broken.json().details.failed, ['blobStore']);
    rmSync(tmp);
    assert.equal((await t.anonymous.get('/readyz')).statusCode, 200);
  });

  it('names the database once it is closed', async () => {
    await t.testDatabase.database.close();
    const answer = await t.anonymous.get('/readyz');
    assert.equal(answer.statusCode, 503);
    const body = answer.json();
    assert.deepEqual(body.details.failed, ['database']);
    assert.match(body.message, /database: /);
  });
});

// The load balancer of docs/scale-out.md, as printed there: Debian's nginx runs the doc's own
// configuration block (only its upstream addresses and listen port replaced) in front of three
// whole Updraft instances on one PostgreSQL database. Requests spread over every instance, the
// health endpoints answer through it, a device's ranged download works, the event stream is not
// held back in nginx's buffers, the audit log names the client behind nginx, and with an
// instance stopped requests still succeed.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createOneNetToken } from '@updraft/protocol';
import { firmwareForm } from '../../test-support/device-fleet.ts';
import { openEventStream } from '../../test-support/event-stream-client.ts';
import {
  nginxBinary,
  nginxMainConfig,
  type RunningNginx,
  startNginxWith,
} from '../../test-support/nginx-harness.ts';
import { parsePrometheusText } from '../../test-support/prometheus-text.ts';
import { skipReason, testDatabaseKind } from '../../test-support/test-database.ts';
import {
  type Instances,
  instancesMetricsToken,
  startInstances,
} from '../../test-support/updraft-instances.ts';

const docPath = join(import.meta.dirname, '../../../../../docs/scale-out.md');

/** The doc's load-balancer block: the one ```nginx block with `upstream updraft`. */
function loadBalancerBlock(doc: string): string {
  const blocks = [...doc.matchAll(/```nginx\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const found = blocks.filter((block) => block.includes('upstream updraft {'));
  assert.equal(found.length, 1, 'docs/scale-out.md has one nginx block with `upstream updraft`');
  return found[0]!;
}

/** The block with the instances' addresses in place of updraft-N:8080 and a loopback listen. */
function runnable(block: string, addresses: readonly string[], port: number): string {
  let n = 0;
  const servers = block.replace(/^(\s*server\s+)updraft-\d+:8080\b/gm, (_, lead: string) => {
    const address = addresses[n++];
    assert.ok(address, 'the doc names more instances than the test runs');
    return `${lead}${address}`;
  });
  assert.equal(n, addresses.length, 'the doc names as many instances as the test runs');
  assert.match(servers, /^\s*listen 80;$/m);
  return servers.replace(/^(\s*)listen 80;$/m, `$1listen 127.0.0.1:${port};`);
}

const skip =
  testDatabaseKind !== 'postgres'
    ? 'runs in the PostgreSQL pass (UPDRAFT_TEST_DB=postgres)'
    : ((await skipReason()) ?? (existsSync(nginxBinary) ? false : 'skipped: no nginx'));

describe('nginx in front of three instances, with the configuration of docs/scale-out.md', { skip }, () => {
  let instances: Instances;
  let nginx: RunningNginx;
  let api: Record<string, string>;
  let planId: number;
  const firmware = Buffer.alloc(200_000);
  for (let i = 0; i < firmware.length; i++) firmware[i] = (i * 7919 + (i >> 8)) & 0xff;

  const through = (path: string, init: RequestInit = {}) =>
    fetch(`${nginx.url}${path}`, { ...init, headers: { ...api, ...(init.headers as object) } });
  /** GET /healthz answered by each instance so far, from its own /metrics. */
  async function healthzCounts(): Promise<number[]> {
    return Promise.all(
      instances.list
        .filter((instance) => !instance.stopped)
        .map(async (instance) => {
          const res = await fetch(`${instance.base}/metrics`, {
            headers: { authorization: `Bearer ${instancesMetricsToken}` },
          });
          const samples = parsePrometheusText(await res.text()).find('updraft_http_requests_total', {
            route: '/healthz',
          });
          return samples.reduce((sum, sample) => sum + sample.value, 0);
        }),
    );
  }
  /**
   * How many of `sent` GET /healthz each running instance answered since `before`. A request is
   * counted in onResponse, after its answer left: wait until every one is.
   */
  async function healthzAnswered(before: number[], sent: number): Promise<number[]> {
    for (let i = 0; ; i++) {
      const answered = (await healthzCounts()).map((count, n) => count - before[n]!);
      if (answered.reduce((a, b) => a + b, 0) >= sent || i === 40) return answered;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  before(async () => {
    // nginx is the only peer the instances believe (docs/scale-out.md).
    instances = await startInstances(3, { trustProxy: '127.0.0.1' });
    const block = loadBalancerBlock(readFileSync(docPath, 'utf8'));
    const addresses = instances.list.map((instance) => instance.address);
    nginx = await startNginxWith((port, dir) => nginxMainConfig(dir, runnable(block, addresses, port)));
    const key = await instances.list[0]!.app.services.accounts.createApiKey(null, {
      name: 'balancer test',
      role: 'admin',
    });
    api = { authorization: `Bearer ${key.secret}` };
  });
  after(async () => {
    await nginx?.stop();
    await instances?.close();
  });

  it('spreads requests over every instance and answers /healthz and /readyz', async () => {
    const before = await healthzCounts();
    for (let i = 0; i < 9; i++) {
      const res = await through('/healthz');
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { ok: true });
    }
    assert.deepEqual(await healthzAnswered(before, 9), [3, 3, 3], 'round robin: three requests each');
    const ready = await through('/readyz');
    assert.equal(ready.status, 200);
    const body = (await ready.json()) as { ready: boolean; checks: Record<string, unknown> };
    assert.equal(body.ready, true);
    assert.deepEqual(Object.keys(body.checks).sort(), ['blobStore', 'broker', 'database', 'storage']);
    assert.equal((await through('/metrics')).status, 404, 'each instance is scraped itself');
  });

  it('uploads through one instance and serves a device a ranged download through any', async () => {
    const product = (await (
      await through('/api/v1/products', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Meter' }),
      })
    ).json()) as { id: number; productKey: string };
    const registered = await through(`/api/v1/products/${product.id}/devices`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'm-1', versions: { default: '1.0' } }),
    });
    assert.equal(registered.status, 201);
    const { device, secret } = (await registered.json()) as { device: { id: number }; secret: string };
    const form = firmwareForm('2.0', [{ name: 'app.bin', content: firmware }]);
    const upload = await through(`/api/v1/products/${product.id}/firmware`, {
      method: 'POST',
      headers: form.headers,
      body: form.payload,
    });
    assert.equal(upload.status, 201);
    const plan = await through('/api/v1/plans', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'rollout',
        productId: product.id,
        firmwarePackageId: ((await upload.json()) as { id: number }).id,
        target: { kind: 'all' },
      }),
    });
    planId = ((await plan.json()) as { id: number }).id;
    assert.equal((await through(`/api/v1/plans/${planId}/publish`, { method: 'POST' })).status, 200);

    // The device asks until a scheduler pass (on whichever instance) has enrolled it.
    const authorization = createOneNetToken(
      secret,
      `products/${product.productKey}/devices/m-1`,
      Math.floor(Date.now() / 1000) + 3600,
      'sha256',
    );
    let token: string | undefined;
    for (let i = 0; i < 50 && !token; i++) {
      const check = await fetch(
        `${nginx.url}/ota/south/check?dev_id=${device.id}&manuf=100&model=10001&type=1&version=1.0&cdn=false`,
        { headers: { authorization } },
      );
      const answer = (await check.json()) as { errno: number; data?: { token?: string } };
      assert.ok(answer.errno === 0 || answer.errno === 11, JSON.stringify(answer));
      token = answer.data?.token;
      if (!token) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok(token, 'the device was offered the upgrade');
    for (let i = 0; i < 3; i++) {
      const part = await fetch(`${nginx.url}/device/v1/download/${token}`, {
        headers: { range: 'bytes=1000-1999' },
      });
      assert.equal(part.status, 206);
      assert.equal(part.headers.get('content-range'), `bytes 1000-1999/${firmware.length}`);
      assert.deepEqual(Buffer.from(await part.arrayBuffer()), firmware.subarray(1000, 2000));
    }
  });

  it('passes the event stream on as it is written, not when a buffer fills', async () => {
    const timeout = <T>(what: string) =>
      new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what}: none within 3 s`)), 3000));
    const stream = await Promise.race([
      openEventStream(`${nginx.url}/api/v1/events?planId=${planId}`, api),
      timeout<Awaited<ReturnType<typeof openEventStream>>>('the stream headers'),
    ]);
    try {
      assert.equal(stream.status, 200);
      await stream.next((e) => e.event === 'ready', 3000);
      // A change through the balancer (any instance) reaches this stream (any instance).
      assert.equal((await through(`/api/v1/plans/${planId}/pause`, { method: 'POST' })).status, 200);
      const paused = await stream.next((e) => e.event === 'plan', 3000);
      assert.equal(JSON.parse(paused.data).to, 'paused');
    } finally {
      stream.close();
    }
  });

  it("records the client's address in the audit log, not nginx's nor a forged one", async () => {
    // From 127.0.0.2, with an X-Forwarded-For of the client's own: nginx appends the peer it saw.
    const status = await new Promise<number>((resolve, reject) => {
      const sent = request(
        `${nginx.url}/api/v1/products`,
        {
          method: 'POST',
          localAddress: '127.0.0.2',
          headers: { ...api, 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.9' },
        },
        (res) => res.resume().on('end', () => resolve(res.statusCode!)),
      );
      sent.on('error', reject);
      sent.end(JSON.stringify({ name: 'Audited' }));
    });
    assert.equal(status, 201);
    const page = (await (await through('/api/v1/audit-log?entity=product&limit=1')).json()) as {
      items: { address: string; action: string }[];
    };
    assert.equal(page.items[0]?.action, 'create');
    assert.equal(page.items[0]?.address, '127.0.0.2');
  });

  it('goes on answering when an instance is stopped (passive checks)', async () => {
    await instances.list[1]!.stop();
    for (let i = 0; i < 12; i++) {
      const res = await through(`/api/v1/plans/${planId}`);
      assert.equal(res.status, 200, `request ${i} after the stop: ${await res.text()}`);
    }
    const before = await healthzCounts();
    for (let i = 0; i < 6; i++) assert.equal((await through('/healthz')).status, 200);
    const answered = await healthzAnswered(before, 6);
    assert.equal(answered.length, 2);
    assert.equal(answered[0]! + answered[1]!, 6);
    assert.ok(
      answered.every((n) => n > 0),
      `the two instances left share the requests: ${answered}`,
    );
  });
});

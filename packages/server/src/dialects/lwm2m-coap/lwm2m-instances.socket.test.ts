// LwM2M with two instances on one PostgreSQL database (issue 21, docs/scale-out.md): the clients
// register with instance B while instance A alone runs the plan's steps (B's scheduler is
// stopped), so A pushes and cancels. B, which holds the registrations, writes the Package URI
// A's push decided, the upgrade succeeds through B, and A's cancel reaches the other client.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { firmwareForm } from '../../test-support/device-fleet.ts';
import { type Lwm2mDevice, startLwm2mDevice } from '../../test-support/lwm2m-device.ts';
import { eventually } from '../../test-support/mqtt-device.ts';
import { skipReason, testDatabaseKind } from '../../test-support/test-database.ts';
import { type Instance, type Instances, startInstances } from '../../test-support/updraft-instances.ts';

const skip =
  testDatabaseKind !== 'postgres'
    ? 'runs in the PostgreSQL pass (UPDRAFT_TEST_DB=postgres)'
    : ((await skipReason()) ?? false);

describe('LwM2M clients of one instance, a plan run by another', { skip }, () => {
  let instances: Instances;
  let a: Instance;
  let b: Instance;
  let api: Record<string, string>;
  const clients: Lwm2mDevice[] = [];
  const firmware = Buffer.alloc(30_000, 7);

  async function call(method: string, path: string, body?: unknown) {
    const res = await fetch(`${a.base}${path}`, {
      method,
      headers: { ...api, ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    assert.ok(res.ok, `${method} ${path}: ${res.status} ${await res.clone().text()}`);
    return res.json() as Promise<Record<string, unknown>>;
  }

  /** Instance B's sweep, as its timer runs it, until `probe` holds. */
  async function sweepingUntil<T>(probe: () => T | undefined): Promise<T> {
    return eventually(async () => {
      await b.app.lwm2m.sweep();
      return probe();
    });
  }

  before(async () => {
    instances = await startInstances(2);
    [a, b] = instances.list as [Instance, Instance];
    await b.app.scheduler.stop();
    const key = await a.app.services.accounts.createApiKey(null, { name: 'lwm2m test', role: 'admin' });
    api = { authorization: `Bearer ${key.secret}` };
  });
  after(async () => {
    for (const client of clients) await client.close().catch(() => {});
    await instances?.close();
  });

  it("B writes the Package URI of A's push, the upgrade succeeds, and A's cancel reaches B's other client (Cancel, /5/0/10)", async () => {
    const product = (await call('POST', '/api/v1/products', { name: 'Meter' })) as {
      id: number;
      productKey: string;
    };
    await call('PATCH', `/api/v1/products/${product.id}`, { protocols: ['lwm2m'] });
    for (const [name, options] of [
      ['m-1', { autoDownload: true, installs: '2.0' }],
      ['m-2', {}],
    ] as const) {
      const { secret } = (await call('POST', `/api/v1/products/${product.id}/devices`, {
        name,
        versions: { default: '1.0' },
      })) as { secret: string };
      const client = await startLwm2mDevice({
        server: { address: '127.0.0.1', port: b.coapPort },
        endpoint: `${product.productKey}.${name}`,
        secret,
        version: '1.0',
        ...options,
      });
      clients.push(client);
      await client.register();
    }
    const [installs, waits] = clients as [Lwm2mDevice, Lwm2mDevice];
    assert.equal(b.app.lwm2m.registrations(), 2);
    assert.equal(a.app.lwm2m.registrations(), 0);

    const form = firmwareForm('2.0', [{ name: 'app.bin', content: firmware }]);
    const upload = await fetch(`${a.base}/api/v1/products/${product.id}/firmware`, {
      method: 'POST',
      headers: { ...api, ...form.headers },
      body: form.payload,
    });
    assert.equal(upload.status, 201);
    const plan = await call('POST', '/api/v1/plans', {
      name: 'rollout',
      productId: product.id,
      firmwarePackageId: ((await upload.json()) as { id: number }).id,
      target: { kind: 'all' },
    });
    const planId = plan['id'] as number;
    await call('POST', `/api/v1/plans/${planId}/publish`);
    const statusOf = async (client: Lwm2mDevice) => {
      const name = client.endpoint.split('.')[1];
      const page = await a.app.services.plans.listUpgrades(planId, {}, { limit: 10 });
      return page.items.find((u) => u.deviceName === name)?.state.status;
    };
    // A's scheduler enrolls and pushes; A holds no registration, so only B can write.
    await eventually(async () =>
      (await statusOf(installs)) === 'pushed' && (await statusOf(waits)) === 'pushed' ? true : undefined,
    );

    const packageUri = (w: { path: string; payload: Buffer }) => w.path === '/5/0/1' && w.payload.length > 0;
    const uri = await sweepingUntil(() => installs.writes.find(packageUri));
    assert.match(uri.payload.toString(), new RegExp(`^coap://127\\.0\\.0\\.1:${b.coapPort}/fw/`));
    await sweepingUntil(() => waits.writes.find(packageUri));
    await eventually(async () => ((await statusOf(installs)) === 'success' ? true : undefined));
    assert.deepEqual(installs.values.pkg, firmware, 'the client downloaded the package from B');

    await call('POST', `/api/v1/plans/${planId}/cancel`);
    await eventually(async () => ((await statusOf(waits)) === 'cancelled' ? true : undefined));
    const offered = waits.writes.findIndex(packageUri);
    // LwM2M 1.1 Object 5, resource 10: Cancel.
    await sweepingUntil(() => waits.writes.slice(offered + 1).find((w) => w.path === '/5/0/10'));
  });
});

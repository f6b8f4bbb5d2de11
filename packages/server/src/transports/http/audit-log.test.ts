// Every mutating route of the management API writes an audit entry: the test walks each route the
// OpenAPI document lists (POST, PUT, PATCH, DELETE under /api/) with a call that succeeds, and
// checks the entry it left. A new route without a step here fails the test: add its step.
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { rawPublicKey, signManifest } from '@updraft/protocol';
import type { LightMyRequestResponse } from 'fastify';
import { createDeviceFleet, type DeviceFleet, firmwareForm } from '../../test-support/device-fleet.ts';
import { seedFleet, seedPackage } from '../../test-support/plan-fleet.ts';
import { adminPassword, type Caller } from '../../test-support/test-app.ts';
import { skipReason } from '../../test-support/test-database.ts';

const skip = (await skipReason()) ?? false;
const boundary = 'audit-test-boundary';

function upload(version: string, bytes: string) {
  const payload = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="version"\r\n\r\n${version}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="fw.bin"\r\n` +
      `Content-Type: application/octet-stream\r\n\r\n${bytes}\r\n--${boundary}--\r\n`,
  );
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

describe('audit log', { skip }, () => {
  let f: DeviceFleet;
  let admin: Caller;
  const keyDir = mkdtempSync(join(tmpdir(), 'updraft-audit-key-'));
  before(async () => {
    // The server holds a signing key, so that registering it with a product is a step too.
    const signingKeyFile = join(keyDir, 'server-signing.pem');
    const serverKey = generateKeyPairSync('ed25519').privateKey;
    writeFileSync(signingKeyFile, serverKey.export({ format: 'pem', type: 'pkcs8' }));
    f = await createDeviceFleet({ count: 4, plan: { mode: 'manual' }, settings: { signingKeyFile } });
    admin = f.t.admin;
    // Delta jobs stay queued, so that one can be cancelled.
    await f.t.app.deltaRunner.stop();
  });
  after(async () => {
    await f.close();
    rmSync(keyDir, { recursive: true, force: true });
  });

  const newest = async () => (await f.t.app.services.audit.list({}, { limit: 1 })).items[0];

  it('records every mutating route of the OpenAPI document, who called it from where, before and after', async () => {
    const doc = (await f.t.anonymous.get('/openapi.json')).json() as {
      paths: Record<string, Record<string, unknown>>;
    };
    const mutating = new Set<string>();
    for (const [path, operations] of Object.entries(doc.paths)) {
      if (!path.startsWith('/api/')) continue;
      for (const method of Object.keys(operations)) {
        if (['post', 'put', 'patch', 'delete'].includes(method))
          mutating.add(`${method.toUpperCase()} ${path}`);
      }
    }
    const seen = new Set<string>();
    const expectations: { key: string; entity: string; action: string }[] = [];

    /** Calls the route, expects success and exactly one new audit entry naming it. */
    async function step(
      key: string,
      call: () => Promise<LightMyRequestResponse>,
      expect: { entity: string; action: string },
    ) {
      const [method, path] = key.split(' ') as [string, string];
      const before = (await newest())?.id ?? 0;
      const answer = await call();
      assert.ok(
        answer.statusCode >= 200 && answer.statusCode < 300,
        `${key}: ${answer.statusCode} ${answer.body}`,
      );
      const entries = (await f.t.app.services.audit.list({}, { limit: 5 })).items.filter(
        (e) => e.id > before,
      );
      assert.equal(entries.length, 1, `${key} wrote ${entries.length} audit entries`);
      const entry = entries[0]!;
      assert.equal(entry.method, method, key);
      assert.equal(entry.route.replace(/:(\w+)/g, '{$1}'), path, key);
      assert.equal(entry.entity, expect.entity, key);
      assert.equal(entry.action, expect.action, key);
      assert.equal(entry.address, '127.0.0.1');
      seen.add(key);
      expectations.push({ key, ...expect });
      return answer;
    }
    const json = <T = Record<string, unknown>>(answer: { body: string }) => JSON.parse(answer.body) as T;

    // Sign-in and sign-out: the session's cookie and CSRF token drive the rest of the first part.
    const login = await step(
      'POST /api/v1/auth/login',
      () => f.t.anonymous.post('/api/v1/auth/login', { username: 'admin', password: adminPassword }),
      { entity: 'auth', action: 'login' },
    );
    assert.equal((await newest())!.actor, 'user:admin');
    assert.equal(
      JSON.stringify((await newest())!.after).includes(json<{ csrfToken: string }>(login).csrfToken),
      false,
    );
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    const csrf = json<{ csrfToken: string }>(login).csrfToken;
    await step(
      'POST /api/v1/auth/logout',
      () =>
        f.t.anonymous.request({
          method: 'POST',
          url: '/api/v1/auth/logout',
          headers: { cookie, 'x-csrf-token': csrf },
        }),
      { entity: 'auth', action: 'logout' },
    );

    const user = json<{ id: number }>(
      await step(
        'POST /api/v1/users',
        () =>
          admin.post('/api/v1/users', {
            username: 'audited',
            password: 'a long enough passphrase 42',
            role: 'viewer',
          }),
        { entity: 'user', action: 'create' },
      ),
    );
    const created = (await newest())!;
    assert.equal(created.entityId, String(user.id));
    assert.equal(created.actor, 'key:test admin');
    assert.equal(created.role, 'admin');
    await step(
      'PATCH /api/v1/users/{id}',
      () => admin.patch(`/api/v1/users/${user.id}`, { role: 'operator' }),
      {
        entity: 'user',
        action: 'update',
      },
    );
    const patched = (await newest())!;
    assert.equal(patched.before, null, 'users have no GET of their own: no before state');
    assert.equal((patched.after as { role: string }).role, 'operator');

    const { key, secret } = json<{ key: { id: number }; secret: string }>(
      await step(
        'POST /api/v1/api-keys',
        () => admin.post('/api/v1/api-keys', { name: 'audited key', role: 'viewer' }),
        {
          entity: 'api-key',
          action: 'create',
        },
      ),
    );
    assert.equal((await newest())!.after && (await newest())!.after !== null, true);
    assert.equal(JSON.stringify((await newest())!.after).includes(secret), false, 'the secret is redacted');
    await step('DELETE /api/v1/api-keys/{id}', () => admin.delete(`/api/v1/api-keys/${key.id}`), {
      entity: 'api-key',
      action: 'delete',
    });

    const product = json<{ id: number }>(
      await step('POST /api/v1/products', () => admin.post('/api/v1/products', { name: 'audited product' }), {
        entity: 'product',
        action: 'create',
      }),
    );
    const p = `/api/v1/products/${product.id}`;
    await step('PATCH /api/v1/products/{id}', () => admin.patch(p, { description: 'changed' }), {
      entity: 'product',
      action: 'update',
    });
    await step('POST /api/v1/products/{id}/access-key', () => admin.post(`${p}/access-key`), {
      entity: 'product',
      action: 'access-key',
    });
    await step('DELETE /api/v1/products/{id}/access-key', () => admin.delete(`${p}/access-key`), {
      entity: 'product',
      action: 'access-key.delete',
    });
    await step('POST /api/v1/products/{id}/modules', () => admin.post(`${p}/modules`, { name: 'mcu' }), {
      entity: 'product',
      action: 'modules',
    });
    await step(
      'PATCH /api/v1/products/{id}/modules/{name}',
      () => admin.patch(`${p}/modules/mcu`, { description: 'the MCU' }),
      { entity: 'product', action: 'modules.update' },
    );
    await step('DELETE /api/v1/products/{id}/modules/{name}', () => admin.delete(`${p}/modules/mcu`), {
      entity: 'product',
      action: 'modules.delete',
    });
    const firmware = (version: string) =>
      step(
        'POST /api/v1/products/{id}/firmware',
        () => admin.request({ method: 'POST', url: `${p}/firmware`, ...upload(version, `image ${version}`) }),
        { entity: 'product', action: 'firmware' },
      ).then((answer) => json<{ id: number }>(answer).id);
    const fw1 = await firmware('1.0');
    const fw2 = await firmware('2.0');
    const fw3 = await firmware('3.0');
    await step(
      'PATCH /api/v1/firmware/{id}',
      () => admin.patch(`/api/v1/firmware/${fw2}`, { remark: 'audited' }),
      {
        entity: 'firmware',
        action: 'update',
      },
    );
    await step('DELETE /api/v1/firmware/{id}', () => admin.delete(`/api/v1/firmware/${fw3}`), {
      entity: 'firmware',
      action: 'delete',
    });
    const job = json<{ id: number }>(
      await step(
        'POST /api/v1/firmware/{id}/deltas',
        () => admin.post(`/api/v1/firmware/${fw2}/deltas`, { fromPackageId: fw1, profile: 'mcu' }),
        { entity: 'firmware', action: 'deltas' },
      ),
    );
    await step(
      'POST /api/v1/delta-jobs/{id}/cancel',
      () => admin.post(`/api/v1/delta-jobs/${job.id}/cancel`),
      {
        entity: 'delta-job',
        action: 'cancel',
      },
    );

    await step(
      'POST /api/v1/products/{id}/devices/import',
      () =>
        admin.request({
          method: 'POST',
          url: `${p}/devices/import`,
          headers: { 'content-type': 'application/x-ndjson' },
          payload: '{"name":"imported-1"}\n',
        }),
      { entity: 'product', action: 'devices.import' },
    );
    const device = json<{ device: { id: number } }>(
      await step(
        'POST /api/v1/products/{id}/devices',
        () => admin.post(`${p}/devices`, { name: 'audited-device' }),
        {
          entity: 'product',
          action: 'devices',
        },
      ),
    ).device;
    assert.equal(
      JSON.stringify((await newest())!.after).includes('[redacted]'),
      true,
      'the device secret is redacted',
    );
    const d = `/api/v1/devices/${device.id}`;
    await step('PATCH /api/v1/devices/{id}', () => admin.patch(d, { tags: ['audited'] }), {
      entity: 'device',
      action: 'update',
    });
    await step('POST /api/v1/devices/{id}/credentials', () => admin.post(`${d}/credentials`), {
      entity: 'device',
      action: 'credentials',
    });
    const group = json<{ id: number }>(
      await step(
        'POST /api/v1/groups',
        () => admin.post('/api/v1/groups', { productId: product.id, name: 'audited' }),
        {
          entity: 'group',
          action: 'create',
        },
      ),
    );
    const g = `/api/v1/groups/${group.id}`;
    await step('PATCH /api/v1/groups/{id}', () => admin.patch(g, { description: 'audited' }), {
      entity: 'group',
      action: 'update',
    });
    await step(
      'POST /api/v1/groups/{id}/members',
      () => admin.post(`${g}/members`, { deviceIds: [device.id] }),
      {
        entity: 'group',
        action: 'members',
      },
    );
    await step(
      'DELETE /api/v1/groups/{id}/members',
      () => admin.request({ method: 'DELETE', url: `${g}/members`, payload: { deviceIds: [device.id] } }),
      { entity: 'group', action: 'members.delete' },
    );
    await step('DELETE /api/v1/groups/{id}', () => admin.delete(g), { entity: 'group', action: 'delete' });
    await step('DELETE /api/v1/devices/{id}', () => admin.delete(d), { entity: 'device', action: 'delete' });
    const spare = json<{ id: number }>(await admin.post('/api/v1/products', { name: 'to delete' }));
    await step('DELETE /api/v1/products/{id}', () => admin.delete(`/api/v1/products/${spare.id}`), {
      entity: 'product',
      action: 'delete',
    });

    // Plans on a fleet of their own, a draft edited, published, paused, resumed, cancelled.
    const fleet = await seedFleet(f.t.app.database, 2);
    const packageId = await seedPackage(f.t.app.database, fleet.productId, '2.0');
    const planBody = {
      name: 'audited plan',
      productId: fleet.productId,
      firmwarePackageId: packageId,
      target: { kind: 'all' },
    };
    const before = (await newest())!.id;
    assert.equal((await admin.post('/api/v1/plans/targets', planBody)).statusCode, 200);
    assert.equal((await newest())!.id, before, 'a preview is not a change');
    seen.add('POST /api/v1/plans/targets');
    const plan = json<{ id: number }>(
      await step('POST /api/v1/plans', () => admin.post('/api/v1/plans', planBody), {
        entity: 'plan',
        action: 'create',
      }),
    );
    const pl = `/api/v1/plans/${plan.id}`;
    await step(
      'PUT /api/v1/plans/{id}',
      () =>
        admin.request({ method: 'PUT', url: pl, payload: { ...planBody, name: 'audited plan, renamed' } }),
      { entity: 'plan', action: 'update' },
    );
    assert.equal(
      (await newest())!.before && ((await newest())!.before as { name: string }).name,
      'audited plan',
    );
    for (const action of ['publish', 'pause', 'resume', 'cancel']) {
      await step(`POST /api/v1/plans/{id}/${action}`, () => admin.post(`${pl}/${action}`, {}), {
        entity: 'plan',
        action,
      });
    }
    const later = json<{ id: number }>(
      await admin.post('/api/v1/plans', { ...planBody, name: 'started by hand', start: { mode: 'manual' } }),
    );
    assert.equal((await admin.post(`/api/v1/plans/${later.id}/publish`, {})).statusCode, 200);
    await step('POST /api/v1/plans/{id}/start', () => admin.post(`/api/v1/plans/${later.id}/start`, {}), {
      entity: 'plan',
      action: 'start',
    });

    // A manual gate between two waves, approved.
    const gatedFleet = await seedFleet(f.t.app.database, 2);
    const gatedPackage = await seedPackage(f.t.app.database, gatedFleet.productId, '2.0');
    const canaries = json<{ id: number }>(
      await admin.post('/api/v1/groups', { productId: gatedFleet.productId, name: 'canaries' }),
    );
    await admin.post(`/api/v1/groups/${canaries.id}/members`, { deviceIds: [gatedFleet.deviceIds[0]] });
    const gatedPlan = json<{ id: number }>(
      await admin.post('/api/v1/plans', {
        name: 'gated plan',
        productId: gatedFleet.productId,
        firmwarePackageId: gatedPackage,
        target: { kind: 'all' },
        waves: [{ groupIds: [canaries.id], manualGate: true, errorPercent: 0 }, {}],
      }),
    );
    assert.equal((await admin.post(`/api/v1/plans/${gatedPlan.id}/publish`, {})).statusCode, 200);
    await f.t.app.scheduler.tick();
    await f.t.app.services.upgrades.reportDeviceEvents(
      gatedFleet.deviceIds.slice(0, 1).map((deviceId) => ({
        deviceId,
        event: { type: 'progress' as const, percent: 100 },
      })),
    );
    for (let i = 0; i < 50; i++) {
      await f.t.app.scheduler.tick();
      if (
        json<{ wave: { phase: string } }>(await admin.get(`/api/v1/plans/${gatedPlan.id}`)).wave.phase ===
        'gated'
      )
        break;
    }
    await step(
      'POST /api/v1/plans/{id}/waves/approve',
      () => admin.post(`/api/v1/plans/${gatedPlan.id}/waves/approve`),
      { entity: 'plan', action: 'waves.approve' },
    );

    // Its rollback, once cancelled and with a package of the old version.
    await admin.post(`/api/v1/plans/${gatedPlan.id}/cancel`, {});
    await seedPackage(f.t.app.database, gatedFleet.productId, '1.0');
    await step(
      'POST /api/v1/plans/{id}/rollback',
      () => admin.post(`/api/v1/plans/${gatedPlan.id}/rollback`),
      {
        entity: 'plan',
        action: 'rollback',
      },
    );

    // The manual plan's device upgrades: confirmed, rejected, cancelled, retried.
    const upgrades = (await f.t.app.services.plans.listUpgrades(f.planId, {}, { limit: 10 })).items.map(
      (u) => u.id,
    );
    const [u0, u1, u2, u3] = upgrades as [number, number, number, number];
    const mp = `/api/v1/plans/${f.planId}/upgrades`;
    await step(
      'POST /api/v1/plans/{id}/upgrades/confirm',
      () => admin.post(`${mp}/confirm`, { upgradeIds: [u0] }),
      {
        entity: 'plan',
        action: 'upgrades.confirm',
      },
    );
    await step(
      'POST /api/v1/plans/{id}/upgrades/reject',
      () => admin.post(`${mp}/reject`, { upgradeIds: [u1] }),
      {
        entity: 'plan',
        action: 'upgrades.reject',
      },
    );
    await step(
      'POST /api/v1/device-upgrades/{id}/confirm',
      () => admin.post(`/api/v1/device-upgrades/${u2}/confirm`),
      {
        entity: 'device-upgrade',
        action: 'confirm',
      },
    );
    await step(
      'POST /api/v1/device-upgrades/{id}/reject',
      () => admin.post(`/api/v1/device-upgrades/${u3}/reject`),
      {
        entity: 'device-upgrade',
        action: 'reject',
      },
    );
    await step(
      'POST /api/v1/plans/{id}/upgrades/cancel',
      () => admin.post(`${mp}/cancel`, { upgradeIds: [u0] }),
      {
        entity: 'plan',
        action: 'upgrades.cancel',
      },
    );
    await step(
      'POST /api/v1/plans/{id}/upgrades/retry',
      () => admin.post(`${mp}/retry`, { upgradeIds: [u1] }),
      {
        entity: 'plan',
        action: 'upgrades.retry',
      },
    );
    await step(
      'POST /api/v1/device-upgrades/{id}/cancel',
      () => admin.post(`/api/v1/device-upgrades/${u2}/cancel`),
      {
        entity: 'device-upgrade',
        action: 'cancel',
      },
    );
    await step(
      'POST /api/v1/device-upgrades/{id}/retry',
      () => admin.post(`/api/v1/device-upgrades/${u3}/retry`),
      {
        entity: 'device-upgrade',
        action: 'retry',
      },
    );

    await step(
      'PUT /api/v1/plan-settings',
      () =>
        admin.request({
          method: 'PUT',
          url: '/api/v1/plan-settings',
          payload: { requireVerifiedFirmware: false },
        }),
      { entity: 'plan-settings', action: 'update' },
    );
    const hook = json<{ id: number; secret: string }>(
      await step(
        'POST /api/v1/webhooks',
        () =>
          admin.post('/api/v1/webhooks', {
            url: 'https://hooks.example/in',
            eventTypes: ['plan.transition'],
          }),
        { entity: 'webhook', action: 'create' },
      ),
    );
    assert.equal(JSON.stringify((await newest())!.after).includes(hook.secret), false);
    await step(
      'PATCH /api/v1/webhooks/{id}',
      () => admin.patch(`/api/v1/webhooks/${hook.id}`, { enabled: false }),
      {
        entity: 'webhook',
        action: 'update',
      },
    );
    await step('DELETE /api/v1/webhooks/{id}', () => admin.delete(`/api/v1/webhooks/${hook.id}`), {
      entity: 'webhook',
      action: 'delete',
    });
    assert.equal(((await newest())!.before as { enabled: boolean }).enabled, false);

    const endUser = json<{ id: number; token: string }>(
      await step(
        'POST /api/v1/enduser-tokens',
        () => admin.post('/api/v1/enduser-tokens', { deviceIds: [f.devices[0]!.id], label: 'owner' }),
        { entity: 'enduser-token', action: 'create' },
      ),
    );
    assert.equal(
      JSON.stringify((await newest())!.after).includes(endUser.token),
      false,
      'the token is redacted',
    );
    await step(
      'DELETE /api/v1/enduser-tokens/{id}',
      () => admin.delete(`/api/v1/enduser-tokens/${endUser.id}`),
      {
        entity: 'enduser-token',
        action: 'delete',
      },
    );
    assert.notEqual((await newest())!.before, null, 'the token as it was before');

    // Signed firmware (docs/signing.md): keys, the product's policy, a stored package signed.
    const signer = generateKeyPairSync('ed25519');
    const signingKey = json<{ keyId: string }>(
      await step(
        'POST /api/v1/products/{id}/signing-keys',
        () =>
          admin.post(`/api/v1/products/${f.productId}/signing-keys`, {
            name: 'release',
            publicKey: rawPublicKey(signer.publicKey),
          }),
        { entity: 'product', action: 'signing-keys' },
      ),
    );
    await step(
      'POST /api/v1/products/{id}/signing-keys/server',
      () => admin.post(`/api/v1/products/${f.productId}/signing-keys/server`),
      { entity: 'product', action: 'signing-keys.server' },
    );
    const image = Buffer.from('an image to sign');
    const unsigned = await admin.request({
      method: 'POST',
      url: `/api/v1/products/${f.productId}/firmware`,
      ...firmwareForm('9.9', [{ name: 'app.bin', content: image }]),
    });
    const digest = createHash('sha256').update(image).digest('hex');
    const signed = signManifest(
      {
        product: f.productKey,
        module: 'default',
        version: '9.9',
        type: 'full',
        sourceVersion: null,
        sourceSha256: null,
        targetSha256: digest,
        securityVersion: 1,
        allowDowngrade: false,
        signedAt: 1_796_280_000,
        keyId: signingKey.keyId,
        files: [{ index: 1, name: 'app.bin', size: image.length, sha256: digest }],
      },
      signer.privateKey,
    );
    await step(
      'PUT /api/v1/firmware/{id}/signature',
      () =>
        admin.request({
          method: 'PUT',
          url: `/api/v1/firmware/${unsigned.json().id}/signature`,
          payload: { manifest: signed.bytes.toString('utf8'), signature: signed.signature },
        }),
      { entity: 'firmware', action: 'signature.update' },
    );
    await step(
      'PUT /api/v1/products/{id}/signing',
      () =>
        admin.request({
          method: 'PUT',
          url: `/api/v1/products/${f.productId}/signing`,
          payload: { requireSignature: false },
        }),
      { entity: 'product', action: 'signing.update' },
    );
    await step(
      'POST /api/v1/products/{id}/signing-keys/{keyId}/retire',
      () =>
        admin.post(`/api/v1/products/${f.productId}/signing-keys/${signingKey.keyId}/retire`, {
          validUntil: null,
        }),
      { entity: 'product', action: 'signing-keys.retire' },
    );
    await step(
      'POST /api/v1/products/{id}/signing-keys/{keyId}/revoke',
      () => admin.post(`/api/v1/products/${f.productId}/signing-keys/${signingKey.keyId}/revoke`),
      { entity: 'product', action: 'signing-keys.revoke' },
    );

    assert.deepEqual(
      [...mutating].filter((route) => !seen.has(route)).sort(),
      [],
      'every mutating route has a step in this test',
    );
  });

  it('lists and filters for admins only, and exports CSV', async () => {
    const operator = await f.t.as('operator');
    assert.equal((await operator.get('/api/v1/audit-log')).json().code, 'FORBIDDEN');
    const plans = (await admin.get('/api/v1/audit-log?entity=plan&action=publish')).json();
    assert.ok(plans.items.length >= 1);
    for (const item of plans.items) assert.equal(item.action, 'publish');
    const page = (await admin.get('/api/v1/audit-log?limit=2')).json();
    assert.equal(page.items.length, 2);
    const next = (await admin.get(`/api/v1/audit-log?limit=2&cursor=${page.nextCursor}`)).json();
    assert.ok(
      next.items[0].id < page.items[1].id + 0.5 && next.items[0].id < page.items[0].id,
      'newest first',
    );
    const future = new Date(Date.now() + 365 * 86400_000).toISOString();
    assert.deepEqual((await admin.get(`/api/v1/audit-log?from=${future}`)).json().items, []);
    const csv = await admin.get('/api/v1/audit-log/export?entity=webhook');
    assert.equal(csv.statusCode, 200);
    assert.match(String(csv.headers['content-type']), /^text\/csv/);
    const lines = csv.body.trim().split('\r\n');
    assert.equal(lines[0], 'id,at,actor,role,address,method,path,entity,entityId,action,status,before,after');
    assert.equal(lines.length, 4, 'create, update and delete of the webhook');
  });

  it('forgets entries past the retention', async () => {
    const { audit } = f.t.app.services;
    const total = async () => {
      let n = 0;
      for await (const _ of audit.all({})) n++;
      return n;
    };
    assert.ok((await total()) > 0);
    f.t.clock.advance(366 * 86400_000);
    assert.ok((await audit.purgeIfDue()) > 0);
    assert.equal(await total(), 0);
  });
});

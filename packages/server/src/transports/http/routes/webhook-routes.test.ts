import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestApp, type TestApp } from '../../../test-support/test-app.ts';
import { skipReason } from '../../../test-support/test-database.ts';

const skip = (await skipReason()) ?? false;

describe('webhooks API', { skip }, () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  it('shows the secret once, lists and changes subscriptions for admins only, and keeps a delivery log', async () => {
    const operator = await t.as('operator');
    const body = { url: 'https://hooks.example/in', eventTypes: ['plan.transition'] };
    assert.equal((await operator.post('/api/v1/webhooks', body)).json().code, 'FORBIDDEN');
    const created = await t.admin.post('/api/v1/webhooks', body);
    assert.equal(created.statusCode, 201, created.body);
    const hook = created.json();
    assert.ok(hook.secret.length >= 16);
    const listed = (await t.admin.get('/api/v1/webhooks')).json();
    assert.equal(listed.items[0].secret, undefined);
    const patched = await t.admin.patch(`/api/v1/webhooks/${hook.id}`, { enabled: false });
    assert.equal(patched.json().enabled, false);
    const log = (await t.admin.get(`/api/v1/webhooks/${hook.id}/deliveries`)).json();
    assert.deepEqual(log.items, []);
    const bad = await t.admin.post('/api/v1/webhooks', {
      url: 'ftp://x.example/',
      eventTypes: ['plan.transition'],
    });
    assert.equal(bad.json().code, 'VALIDATION_FAILED');
    assert.equal((await t.admin.delete(`/api/v1/webhooks/${hook.id}`)).statusCode, 204);
    assert.equal((await t.admin.get(`/api/v1/webhooks/${hook.id}`)).statusCode, 404);
    const doc = (await t.anonymous.get('/openapi.json')).json();
    assert.ok(doc.paths['/api/v1/webhooks/{id}/deliveries']);
  });
});

// Webhooks do not reach this machine, its networks or a cloud's metadata service (issue 12):
// refused when the URL names such an address, and when a name resolves to one at delivery
// (DNS rebinding), unless UPDRAFT_WEBHOOK_ALLOW_PRIVATE=true.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { isUpdraftError } from '@updraft/core';
import { createTestApp, type TestApp } from '../../test-support/test-app.ts';
import { skipReason } from '../../test-support/test-database.ts';
import { createWebhookSender, type Resolve } from './webhook-sender.ts';

const skip = (await skipReason()) ?? false;
const privateUrls = [
  'http://127.0.0.1:8080/hook',
  'http://[::1]/hook',
  'http://0x7f000001/hook',
  'http://2130706433/hook',
  'http://169.254.169.254/latest/meta-data/',
  'http://[fd00:ec2::254]/',
  'http://10.1.2.3/',
  'http://192.168.0.10/',
  'http://172.16.0.1/',
  'http://100.100.100.200/',
  'http://[::ffff:127.0.0.1]/',
  'http://0.0.0.0/',
  'http://localhost:3000/',
  'http://api.localhost/',
];
const init = { headers: { 'content-type': 'application/json' }, body: '{}', timeoutMs: 5000 };

describe('webhook targets', { skip }, () => {
  let t: TestApp;
  let server: Server;
  let port: number;
  let received = 0;
  before(async () => {
    t = await createTestApp();
    server = createServer((request, response) => {
      received++;
      request.resume();
      response.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  after(async () => {
    server.close();
    await t.close();
  });

  it('refuses loopback, private, link-local and metadata URLs with a coded error', async () => {
    for (const url of privateUrls) {
      const res = await t.admin.post('/api/v1/webhooks', { url, eventTypes: ['plan.transition'] });
      assert.equal(res.statusCode, 400, `${url}: ${res.body}`);
      assert.equal(res.json().code, 'WEBHOOK_URL_PRIVATE', url);
    }
    const ok = await t.admin.post('/api/v1/webhooks', {
      url: 'https://hooks.example/in',
      eventTypes: ['plan.transition'],
    });
    assert.equal(ok.statusCode, 201);
    const moved = await t.admin.patch(`/api/v1/webhooks/${ok.json().id}`, { url: 'http://127.0.0.1/' });
    assert.equal(moved.json().code, 'WEBHOOK_URL_PRIVATE');
  });

  it('refuses at delivery a name that resolves to a private address (DNS rebinding)', async () => {
    // The name answered a public address when the webhook was made; now it answers loopback.
    const rebinding: Resolve = (_host, _options, callback) =>
      callback(null, [{ address: '127.0.0.1', family: 4 }]);
    const send = createWebhookSender({ allowPrivate: false, resolve: rebinding });
    await assert.rejects(
      send(`http://rebind.example:${port}/hook`, init),
      (error) =>
        isUpdraftError(error) && error.code === 'WEBHOOK_URL_PRIVATE' && /127\.0\.0\.1/.test(error.message),
    );
    const mixed: Resolve = (_host, _options, callback) =>
      callback(null, [
        { address: '93.184.215.14', family: 4 },
        { address: '::1', family: 6 },
      ]);
    await assert.rejects(
      createWebhookSender({ allowPrivate: false, resolve: mixed })(`http://mixed.example:${port}/`, init),
    );
    await assert.rejects(createWebhookSender({ allowPrivate: false })(`http://127.0.0.1:${port}/`, init));
    assert.equal(received, 0, 'nothing reached the local server');
  });

  it('delivers to private addresses when UPDRAFT_WEBHOOK_ALLOW_PRIVATE is true', async () => {
    const allowed = await createTestApp({}, { UPDRAFT_WEBHOOK_ALLOW_PRIVATE: 'true' });
    try {
      const res = await allowed.admin.post('/api/v1/webhooks', {
        url: `http://127.0.0.1:${port}/hook`,
        eventTypes: ['plan.transition'],
      });
      assert.equal(res.statusCode, 201, res.body);
    } finally {
      await allowed.close();
    }
    const local: Resolve = (_host, _options, callback) =>
      callback(null, [{ address: '127.0.0.1', family: 4 }]);
    const send = createWebhookSender({ allowPrivate: true, resolve: local });
    assert.equal((await send(`http://hooks.internal:${port}/hook`, init)).status, 200);
    assert.equal(received, 1);
  });
});

import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createKyselyWebhookStore } from '../../adapters/db/kysely-webhook-store.ts';
import { seedFleet, seedPackage, wirePlans } from '../../test-support/plan-fleet.ts';
import { createTestDatabase, skipReason, type TestDatabase } from '../../test-support/test-database.ts';
import { createWebhookService, type SendWebhook, webhookRetry } from './webhook-service.ts';

const skip = (await skipReason()) ?? false;

interface Sent {
  url: string;
  headers: Record<string, string>;
  body: string;
}

describe('webhooks', { skip }, () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase();
  });
  after(() => t.dispose());

  function setup(answer: (sent: Sent) => number | Error) {
    const wired = wirePlans(t.database);
    const sent: Sent[] = [];
    const send: SendWebhook = async (url, { headers, body }) => {
      const item = { url, headers, body };
      sent.push(item);
      const result = answer(item);
      if (result instanceof Error) throw result;
      return { status: result };
    };
    const webhooks = createWebhookService({
      store: createKyselyWebhookStore(t.database.db, t.database.dialect),
      clock: wired.clock,
      send,
    });
    return { ...wired, webhooks, sent };
  }

  it('delivers signed plan and device-upgrade transitions, written in the transaction that made them', async () => {
    const { plans, engine, notifier, webhooks, sent, clock } = setup(() => 204);
    const hook = await webhooks.create(
      { url: 'https://hooks.example/updraft', eventTypes: ['plan.transition', 'device_upgrade.transition'] },
      'admin',
    );
    const planOnly = await webhooks.create(
      { url: 'http://other.example/', eventTypes: ['plan.transition'] },
      'admin',
    );
    const fleet = await seedFleet(t.database, 2);
    const packageId = await seedPackage(t.database, fleet.productId, '2.0');
    const plan = await plans.createPlan(
      { name: 'hooked', productId: fleet.productId, firmwarePackageId: packageId, target: { kind: 'all' } },
      'u',
    );
    await plans.publish(plan.id, 'u');
    await plans.tickPlan(plan.id, 'a', 60_000);
    await engine.reportDeviceEvents(
      notifier.notified.map((n) => ({
        deviceId: n.deviceId,
        event: { type: 'version_reported', version: '2.0' },
      })),
    );
    await plans.tickPlan(plan.id, 'a', 60_000);
    assert.equal(await webhooks.deliverDue(), 4 + 2 + 2);
    const toHook = sent.filter((s) => s.url === hook.url);
    const events = toHook.map((s) => JSON.parse(s.body) as { type: string; from: string; to: string });
    assert.deepEqual(events.map((e) => `${e.type} ${e.from}>${e.to}`).sort(), [
      'device_upgrade.transition pending>pushed',
      'device_upgrade.transition pending>pushed',
      'device_upgrade.transition pushed>success',
      'device_upgrade.transition pushed>success',
      'plan.transition draft>running',
      'plan.transition running>completed',
    ]);
    assert.equal(events.filter((e) => e.type === 'plan.transition').length, 2);
    assert.equal(sent.filter((s) => s.url === planOnly.url).length, 2);
    for (const s of toHook) {
      const expected = createHmac('sha256', hook.secret)
        .update(`${s.headers['x-updraft-timestamp']}.${s.body}`)
        .digest('hex');
      assert.equal(s.headers['x-updraft-signature'], `sha256=${expected}`);
    }
    const log = await webhooks.deliveries(hook.id, { limit: 50 });
    assert.ok(
      log.items.every((d) => d.status === 'delivered' && d.attempts === 1 && d.lastStatusCode === 204),
    );
    clock.advance(1000);
    assert.equal(await webhooks.deliverDue(), 0, 'nothing is sent twice');
  });

  it('retries a failing endpoint with exponential backoff and gives up after the last attempt', async () => {
    const { webhooks, plans, sent, clock } = setup((s) =>
      s.url.includes('down') ? new Error('ECONNREFUSED') : 500,
    );
    const down = await webhooks.create(
      { url: 'http://down.example/', eventTypes: ['plan.transition'] },
      'admin',
    );
    const fleet = await seedFleet(t.database, 1);
    const packageId = await seedPackage(t.database, fleet.productId, '2.0');
    const plan = await plans.createPlan(
      {
        name: 'retry hooks',
        productId: fleet.productId,
        firmwarePackageId: packageId,
        target: { kind: 'all' },
      },
      'u',
    );
    await plans.publish(plan.id, 'u');
    // Earlier subscriptions of this database answer 500 here; only `down` is looked at.
    const downSent = () => sent.filter((s) => s.url === down.url).length;
    await webhooks.deliverDue();
    assert.equal(downSent(), 1);
    clock.advance(webhookRetry.firstDelayMs - 1);
    await webhooks.deliverDue();
    assert.equal(downSent(), 1, 'not before the backoff');
    for (let attempt = 1; attempt < webhookRetry.maxAttempts; attempt++) {
      clock.advance(webhookRetry.maxDelayMs);
      await webhooks.deliverDue();
    }
    assert.equal(downSent(), webhookRetry.maxAttempts);
    const [delivery] = (await webhooks.deliveries(down.id, { limit: 5 })).items;
    assert.equal(delivery?.status, 'failed');
    assert.equal(delivery?.lastError, 'ECONNREFUSED');
    clock.advance(webhookRetry.maxDelayMs);
    await webhooks.deliverDue();
    assert.equal(downSent(), webhookRetry.maxAttempts);
  });

  it('refuses a URL that is not http(s) and an unknown event type', async () => {
    const { webhooks } = setup(() => 200);
    await assert.rejects(
      webhooks.create({ url: 'file:///etc/passwd', eventTypes: ['plan.transition'] }, 'a'),
    );
    await assert.rejects(webhooks.create({ url: 'https://x.example', eventTypes: ['plan.deleted'] }, 'a'));
  });
});

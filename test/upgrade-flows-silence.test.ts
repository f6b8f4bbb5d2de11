// An upgrade whose last reports were lost after the broker acknowledged them (issue 21:
// Mosquitto's `max_queued_messages`, docs/deployment.md) still ends in success: a real
// `updraft serve` (its embedded broker, then this machine's Mosquitto) with push periods of 1 s
// (UPDRAFT_PLAN_MIN_PERIOD_SECONDS, for tests), SDK devices (ThingsPanel's topics, Quectel's
// protocol) on real sockets behind a proxy that acknowledges and drops every message they send
// from their install (the server has the upgrade under way by then) until they are idle: the
// success and the new version. Nothing more comes from the device, so only the platform's offer
// after two push periods of silence can end the upgrade: the device, on the target already,
// answers it with its success. Without that offer the upgrade stays `upgrading` for its hour.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { type MqttDropProxy, startMqttDropProxy } from './support/mqtt-drop-proxy.ts';
import { e2eBrokers, image, startUpgradeFlows, type UpgradeFlows, waitFor } from './support/upgrade-flows.ts';

type Json = Record<string, unknown>;

const brokers = await e2eBrokers('e2es');

for (const broker of brokers) {
  describe(`an upgrade whose last reports were lost (updraft serve, ${broker.name})`, {
    skip: broker.skip,
  }, () => {
    let u: UpgradeFlows;
    let proxy: MqttDropProxy;
    before(async () => {
      u = await startUpgradeFlows({ UPDRAFT_PLAN_MIN_PERIOD_SECONDS: '1', ...broker.env });
      proxy = await startMqttDropProxy(u.mqttUrl);
    });
    after(async () => {
      await u?.close();
      await proxy?.close();
    });

    for (const transport of ['mqtt', 'quectel'] as const) {
      it(`${transport}: offered again after two push periods without a word, the device answers and it ends in success`, async () => {
        const product = await u.product(`silence-${transport}`);
        if (transport === 'quectel')
          await u.api('PATCH', `/products/${product.id}`, { protocols: ['quectel'] });
        // Large enough for download steps (every 10 %).
        const firmware = image(512 * 1024, 31);
        const pkg = await u.upload(product.id, '2.0', firmware);
        const d = await u.register(product, `silence-${transport}-0`);
        const installed: Buffer[] = [];
        const { device } = u.device(d, transport, {
          mqttUrl: proxy.url,
          modules: {
            default: {
              version: '1.0',
              async install({ path }) {
                installed.push(await readFile(path));
                // Once the server has the download under way (its steps are not awaited by the
                // SDK), the device's reports reach the broker and are lost there.
                await waitFor('the upgrade under way', async () =>
                  (await u.upgradeOf(planId, d.id))?.status === 'upgrading' ? true : undefined,
                );
                proxy.dropping = true;
              },
            },
          },
        });
        let planId = 0;
        await device.start();
        const plan = await u.plan({
          name: `silence-${transport}`,
          productId: product.id,
          firmwarePackageId: pkg.id,
          pushPeriodSeconds: 1,
        });
        planId = plan.id;
        await waitFor('the install', async () => (installed.length > 0 ? true : undefined), 60_000);
        await device.idle();
        const lost = proxy.dropped.splice(0);
        proxy.dropping = false;
        assert.ok(lost.length >= 1, 'the device sent its reports, and they were lost');
        assert.deepEqual(installed, [firmware]);

        const done = (await waitFor(
          'the upgrade to end',
          async () => {
            const upgrade = (await u.upgradeOf(plan.id, d.id)) as Json | undefined;
            return upgrade && upgrade['status'] !== 'upgrading' && upgrade['status'] !== 'pushed'
              ? upgrade
              : undefined;
          },
          60_000,
        )) as Json;
        assert.equal(done['status'], 'success', JSON.stringify(done));
        const { log } = await u.api('GET', `/device-upgrades/${done['id']}`);
        assert.ok(
          (log as { event: string }[]).some((e) => e.event === 'silence_elapsed'),
          `offered again for the silence: ${JSON.stringify(log)}`,
        );
        assert.equal(installed.length, 1, 'the device did not install it again');
        // The server has the answer before its acknowledgement reaches the device.
        await device.idle();
        const successes = device.results().filter((r) => r.outcome === 'success');
        assert.equal(successes.length, 2, 'the install, then the answer to the offer: on the target already');
      });
    }
  });
}

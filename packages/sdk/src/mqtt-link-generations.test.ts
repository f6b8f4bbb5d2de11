// The MQTT link's topics per ThingsPanel generation, watched on this machine's Mosquitto (a broker
// that lets anyone in and publish anywhere, so that the test sees every topic the link uses):
// v0.5 informs and reports on `ota/up/{username}/…` and takes pushes on `ota/device/inform/…`;
// v1 informs nothing, reports on `ota/devices/progress/{username}` and takes pushes on
// `ota/devices/inform/{username}` only.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { connectAsync, type MqttClient } from 'mqtt';
import { eventually } from '../../server/src/test-support/mqtt-device.ts';
import { brokerSkipReason, testBrokerUrl } from '../../server/src/test-support/test-broker.ts';
import type { Link } from './link.ts';
import { createMqttLink } from './mqtt-link.ts';
import type { Offer } from './offer.ts';

const skip = (await brokerSkipReason()) ?? false;

const push = (version: string) =>
  JSON.stringify({
    id: '1',
    code: 200,
    params: { version, size: 3, url: 'http://h/f', signMethod: 'MD5', sign: 'ab', module: 'MCU' },
  });

describe('MQTT link topics per ThingsPanel generation (Mosquitto)', { skip }, () => {
  const clients: (MqttClient | Link)[] = [];
  after(async () => {
    for (const c of clients) await ('endAsync' in c ? c.endAsync() : c.close()).catch(() => {});
  });

  for (const generation of ['v0.5', 'v1'] as const) {
    it(`${generation}: publishes and listens on its own generation's topics`, async () => {
      const productKey = `pk${randomBytes(4).toString('hex')}`;
      const username = `${productKey}.dev-1`;
      const watcher = await connectAsync(testBrokerUrl, { clientId: `watch-${productKey}` });
      clients.push(watcher);
      const seen: string[] = [];
      watcher.on('message', (topic) => seen.push(topic));
      await watcher.subscribeAsync(
        [`ota/up/${username}/#`, `ota/devices/progress/#`, 'ota/device/progress'],
        {
          qos: 1,
        },
      );

      const link = createMqttLink({
        url: testBrokerUrl,
        credentials: { productKey, name: 'dev-1', secret: 'x' },
        generation,
      });
      clients.push(link);
      await link.connect();
      const offers: Offer[] = [];
      link.onOffer((_subject, offer) => offers.push(offer));

      await link.reportVersion({}, 'MCU', '1.0', {});
      const offer: Offer = {
        module: 'MCU',
        targetVersion: '2.0',
        url: 'http://h/f',
        size: 3,
        sha256: '',
        md5: 'ab',
        kind: 'full',
        minSignal: null,
        minBattery: null,
      };
      await link.progress({}, offer, 40);
      await link.succeeded({}, offer);
      const expected =
        generation === 'v1'
          ? [`ota/devices/progress/${username}`, `ota/devices/progress/${username}`]
          : [`ota/up/${username}/inform`, `ota/up/${username}/progress`, `ota/up/${username}/progress`];
      await eventually(async () => (seen.length >= expected.length ? true : undefined));
      // One more round trip through the broker: nothing else arrives after the expected topics.
      await watcher.publishAsync(`ota/devices/progress/fence-${productKey}`, 'x', { qos: 1 });
      await eventually(async () =>
        seen.includes(`ota/devices/progress/fence-${productKey}`) ? true : undefined,
      );
      assert.deepEqual(
        seen.filter((t) => !t.includes('fence')),
        expected,
      );

      // The other generation's push topic is not listened to; its own is.
      const other = generation === 'v1' ? `ota/device/inform/${username}` : `ota/devices/inform/${username}`;
      const own = generation === 'v1' ? `ota/devices/inform/${username}` : `ota/device/inform/${username}`;
      await watcher.publishAsync(other, push('9.9'), { qos: 1 });
      await watcher.publishAsync(own, push('2.0'), { qos: 1 });
      await eventually(async () => (offers.length > 0 ? true : undefined));
      assert.deepEqual(
        offers.map((o) => [o.module, o.targetVersion]),
        [['MCU', '2.0']],
      );
    });
  }
});

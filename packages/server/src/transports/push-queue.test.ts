// The shared push queue routes each notice to the dialects the device's product speaks, and of
// those to the ones that reach the device now; nothing is queued before a carrier runs. The
// device service is a small in-memory stand-in here (its own behaviour is tested over real
// databases and sockets elsewhere): pushOffers issues an offer only for reachable devices, with a
// token unless it is told that the push names no file.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type {
  AccessDevice,
  DeviceAccess,
  Offer,
  PushedOffer,
} from '../modules/device-access/device-access.ts';
import type { UpgradeNotice } from '../modules/plans/notifier.ts';
import { createPushQueue, type PushingDialect } from './push-queue.ts';

const silent = { info() {}, warn() {}, error() {} };

function fleet(protocolsOf: Record<number, string[]>) {
  const devices = new Map<number, AccessDevice>(
    Object.keys(protocolsOf).map((id) => [
      Number(id),
      { id: Number(id), productId: Number(id), name: `d${id}`, gatewayId: null },
    ]),
  );
  const tokens: number[] = [];
  const access: Pick<DeviceAccess, 'pushOffers' | 'productOf'> = {
    async productOf(productId) {
      const protocols = protocolsOf[productId];
      return (
        protocols && {
          productKey: `pk${productId}`,
          signMethod: 'md5',
          protocols,
          manufacturer: '',
          model: '',
        }
      );
    },
    async pushOffers(notices, reachable = async () => true) {
      const offers: PushedOffer[] = [];
      for (const notice of notices) {
        const device = devices.get(notice.deviceId)!;
        const reach = await reachable(device);
        if (!reach) continue;
        if (reach === true) tokens.push(device.id);
        offers.push({ device, module: 'default', offer: { upgradeId: notice.upgradeId } as Offer });
      }
      return offers;
    },
  };
  return { access, tokens };
}

function dialect(
  name: string,
  protocol: string,
  online: (device: AccessDevice) => boolean,
  pushesLinks?: boolean,
) {
  const sent: number[] = [];
  const pushing: PushingDialect = {
    name,
    protocol,
    ...(pushesLinks !== undefined && { pushesLinks }),
    async reach(device) {
      return online(device) ? async () => void sent.push(device.id) : undefined;
    },
  };
  return { pushing, sent };
}

const notices = (...ids: number[]): UpgradeNotice[] =>
  ids.map((id) => ({ deviceId: id, upgradeId: 100 + id, planId: 1 }));

async function drained(queue: { queued(): number }) {
  for (let i = 0; i < 200 && queue.queued() > 0; i++) await new Promise((resolve) => setTimeout(resolve, 5));
  await new Promise((resolve) => setTimeout(resolve, 20));
}

describe('push queue', () => {
  it('pushes a device only on the dialects its product lists, and on each of them', async () => {
    const { access } = fleet({ 1: ['mqtt', 'http'], 2: ['http'], 3: ['mqtt', 'lwm2m'] });
    const mqtt = dialect('thingspanel-mqtt', 'mqtt', () => true);
    const lwm2m = dialect('lwm2m-coap', 'lwm2m', () => true);
    const queue = createPushQueue({
      access,
      dialects: [mqtt.pushing, lwm2m.pushing],
      pushRate: 1000,
      log: silent,
    });
    queue.start();
    await queue.notifier.notify(notices(1, 2, 3));
    await drained(queue);
    await queue.stop();
    assert.deepEqual(mqtt.sent.sort(), [1, 3]);
    assert.deepEqual(lwm2m.sent, [3]);
  });

  it('issues no offer (no token) for a device no dialect reaches now', async () => {
    const { access, tokens } = fleet({ 1: ['mqtt'], 2: ['mqtt'] });
    const mqtt = dialect('thingspanel-mqtt', 'mqtt', (device) => device.id === 2);
    const queue = createPushQueue({ access, dialects: [mqtt.pushing], pushRate: 1000, log: silent });
    queue.start();
    await queue.notifier.notify(notices(1, 2));
    await drained(queue);
    await queue.stop();
    assert.deepEqual(mqtt.sent, [2]);
    assert.deepEqual(tokens, [2]);
  });

  it('issues no token for a push that names no file, unless another dialect of the device puts links in its push', async () => {
    const { access, tokens } = fleet({ 1: ['quectel'], 2: ['quectel', 'mqtt'] });
    const quectel = dialect('quectel-mqtt', 'quectel', () => true, false);
    const mqtt = dialect('thingspanel-mqtt', 'mqtt', () => true);
    const queue = createPushQueue({
      access,
      dialects: [quectel.pushing, mqtt.pushing],
      pushRate: 1000,
      log: silent,
    });
    queue.start();
    await queue.notifier.notify(notices(1, 2));
    await drained(queue);
    await queue.stop();
    assert.deepEqual(quectel.sent.sort(), [1, 2]);
    assert.deepEqual(mqtt.sent, [2]);
    assert.deepEqual(tokens, [2]);
  });

  it('queues nothing before a carrier starts it or after it stopped', async () => {
    const { access, tokens } = fleet({ 1: ['mqtt'] });
    const mqtt = dialect('thingspanel-mqtt', 'mqtt', () => true);
    const queue = createPushQueue({ access, dialects: [mqtt.pushing], pushRate: 1000, log: silent });
    await queue.notifier.notify(notices(1));
    assert.equal(queue.queued(), 0);
    queue.start();
    await queue.stop();
    await queue.notifier.notify(notices(1));
    await drained(queue);
    assert.deepEqual(tokens, []);
    assert.deepEqual(mqtt.sent, []);
  });
});

// The device-dialect contract's driver for ThingsPanel generations (v0.5, v1) over the embedded
// broker: a device that signs in with its username and secret, subscribes to its push topic, is
// pushed the upgrade there, reports steps on the generation's progress topic and downloads from
// the pushed URL. ThingsPanel has no accept message: a device starts by reporting progress.
import { connectDevice, type TestMqttDevice } from '../mqtt-device.ts';
import type { DeviceStep, DialectDriver, SeenOffer } from './device-dialect.contract.ts';

const isPush = (body: Record<string, unknown>) => body['code'] === 200;

export function thingsPanelDriver(generation: {
  name: string;
  pushTopic(username: string): string;
  progressTopic: string;
  /** What the device does after it reconnects to be offered its upgrade again (subscribing comes first). */
  afterReconnect?(device: TestMqttDevice): Promise<void>;
}): DialectDriver {
  let url = '';
  return {
    name: generation.name,
    settings: () => ({ mqttPort: 0, mqttHost: '127.0.0.1' }),
    async start(f) {
      url = (await f.t.app.startMqtt()).url;
    },
    async device(_f, d) {
      const username = d.res.replace(/^products\//, '').replace('/devices/', '.');
      const pushTopic = generation.pushTopic(username);
      const connect = async () => {
        const client = await connectDevice(url, username, d.secret);
        await client.client.subscribeAsync(pushTopic, { qos: 1 });
        return client;
      };
      let device: TestMqttDevice = await connect();
      const nextOffer = async (): Promise<SeenOffer> => {
        const params = (await device.next(pushTopic, isPush))['params'] as Record<string, unknown>;
        return {
          version: String(params['version']),
          size: Number(params['size']),
          url: String(params['url']),
          files: (params['files'] as Record<string, unknown>[]).map((file) => ({
            index: Number(file['index']),
            name: String(file['name']),
            size: Number(file['size']),
            url: String(file['url']),
          })),
        };
      };
      const publish = async (s: DeviceStep) => {
        if (s === 'accept') return false;
        const payload =
          s === 'success'
            ? { step: 100, desc: 'upgraded' }
            : s === 'download_failed'
              ? { step: -2, desc: 'no space' }
              : { step: s.progress, desc: 'downloading' };
        await device.publish(generation.progressTopic, payload);
        return true;
      };
      return {
        offer: nextOffer,
        async send(s) {
          await publish(s);
        },
        async refused(s) {
          if (!(await publish(s))) throw new Error('nothing to refuse');
          const reply = await device.next(pushTopic, (b) => b['code'] !== 200);
          return `${String(reply['code'])}: ${String(reply['message'])}`;
        },
        async download(offer) {
          const res = await fetch(offer.url);
          const body = Buffer.from(await res.arrayBuffer());
          return res.status === 200 || res.status === 206 ? body : 'refused';
        },
        async reconnect() {
          await device.close();
          device = await connect();
          await generation.afterReconnect?.(device);
          return nextOffer();
        },
        close: () => device.close(),
      };
    },
  };
}

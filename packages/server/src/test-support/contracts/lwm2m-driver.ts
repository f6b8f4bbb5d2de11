// The device-dialect contract's driver for LwM2M over CoAP: a test client (lwm2m-device.ts) that
// registers with a signed Register, is offered its upgrade as a Package URI write on /5/0/1,
// downloads it block-wise from Updraft's CoAP server, and reports through its observed State and
// Update Result. A Package URI carries no version: the offer's version is the plan's target, as
// the client would learn it from the package. LwM2M has no progress percentage and one file per
// offer (`reportsProgress: false`, `files: 'one'`).
import { type Lwm2mDevice, startLwm2mDevice } from '../lwm2m-device.ts';
import type { DeviceStep, DialectDriver, SeenOffer } from './device-dialect.contract.ts';

export function lwm2mDriver(): DialectDriver {
  let port = 0;
  return {
    name: 'lwm2m-coap',
    reportsProgress: false,
    files: 'one',
    settings: () => ({ coapPort: 0, coapHost: '127.0.0.1' }),
    async start(f) {
      const patched = await f.t.admin.patch(`/api/v1/products/${f.productId}`, { protocols: ['lwm2m'] });
      if (patched.statusCode !== 200) throw new Error(patched.body);
      port = (await f.t.app.startCoap()).port;
    },
    async device(f, d) {
      const plan = (await f.t.admin.get(`/api/v1/plans/${f.planId}`)).json();
      const target = String(plan.targetVersion);
      const device: Lwm2mDevice = await startLwm2mDevice({
        server: { address: '127.0.0.1', port },
        endpoint: `${f.productKey}.${d.name}`,
        secret: d.secret,
        version: '1.0',
        installs: target,
        now: () => f.t.clock.now(),
      });
      let seen = 0;
      const nextOffer = async (): Promise<SeenOffer> => {
        const write = await device.nextWrite((w) => w.path === '/5/0/1' && w.payload.length > 0, seen);
        seen = device.writes.indexOf(write) + 1;
        const url = write.payload.toString('utf8');
        const first = await device.download(url);
        const size = first.code === '2.05' ? first.payload.length : 0;
        return { version: target, size, url, files: [{ index: 1, name: 'package', size, url }] };
      };
      await device.register();
      const apply = async (step: DeviceStep) => {
        if (step === 'accept') await device.setState(1);
        else if (step === 'success') await device.setState(2);
        else if (step === 'download_failed') {
          await device.setState(0);
          await device.setResult(4);
        }
        // A progress percentage has no place on LwM2M's wire.
      };
      return {
        offer: nextOffer,
        send: apply,
        async refused(step) {
          const from = device.writes.length;
          await apply(step);
          // The server withdraws the upgrade: Cancel (/5/0/10) or an empty Package URI.
          const withdrawn = await device.nextWrite(
            (w) => w.path === '/5/0/10' || (w.path === '/5/0/1' && w.payload.length === 0),
            Math.min(from, seen),
          );
          return withdrawn.path === '/5/0/10' ? 'Cancel executed' : 'Package URI emptied';
        },
        async download(offer) {
          const got = await device.download(offer.url);
          return got.code === '2.05' ? got.payload : 'refused';
        },
        async reconnect() {
          await device.register();
          return nextOffer();
        },
        close: () => device.close(),
      };
    },
  };
}

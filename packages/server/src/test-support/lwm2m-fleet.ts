// The set-up of the LwM2M socket tests: a device fleet (device-fleet.ts) whose product speaks
// LwM2M, Updraft's CoAP server on a free port of 127.0.0.1, and test clients (lwm2m-device.ts)
// for its devices, every one closed with the fleet. Registers the suite's `before` and `after`.
import { after, before } from 'node:test';
import { createDeviceFleet, type DeviceFleet, type TestDevice } from './device-fleet.ts';
import { type Lwm2mDevice, type Lwm2mDeviceOptions, startLwm2mDevice } from './lwm2m-device.ts';

export interface Lwm2mFleet {
  /** The fleet, once the suite's `before` ran. */
  f: DeviceFleet;
  /** The CoAP server's port. */
  port: number;
  /** A client of device `d` (version 1.0, signed Register on the fleet's clock), not registered yet. */
  client(d: TestDevice, options?: Partial<Lwm2mDeviceOptions>): Promise<Lwm2mDevice>;
}

export function lwm2mFleet(
  options: Omit<NonNullable<Parameters<typeof createDeviceFleet>[0]>, 'settings'> & { protocols?: string[] },
): Lwm2mFleet {
  const { protocols = ['lwm2m'], ...fleetOptions } = options;
  const open: Lwm2mDevice[] = [];
  const fleet: Lwm2mFleet = {
    f: undefined as unknown as DeviceFleet,
    port: 0,
    async client(d, extra = {}) {
      const device = await startLwm2mDevice({
        server: { address: '127.0.0.1', port: fleet.port },
        endpoint: `${fleet.f.productKey}.${d.name}`,
        secret: d.secret,
        version: '1.0',
        now: () => fleet.f.t.clock.now(),
        ...extra,
      });
      open.push(device);
      return device;
    },
  };
  before(async () => {
    fleet.f = await createDeviceFleet({
      ...fleetOptions,
      settings: { coapPort: 0, coapHost: '127.0.0.1' },
    });
    const patched = await fleet.f.t.admin.patch(`/api/v1/products/${fleet.f.productId}`, { protocols });
    if (patched.statusCode !== 200) throw new Error(patched.body);
    fleet.port = (await fleet.f.t.app.startCoap()).port;
  });
  after(async () => {
    for (const device of open) await device.close().catch(() => {});
    await fleet.f?.close();
  });
  return fleet;
}

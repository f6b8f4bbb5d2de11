// Test support for the SDK's device tests: a fleet on a real Updraft server (test-support's
// device fleet), a state folder for the devices, and devices of one transport whose installer
// records what it was given; every device started is stopped and the folder removed after.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import type { UpgradeState } from '@updraft/core';
import {
  createDeviceFleet,
  type DeviceFleet,
  type TestDevice,
} from '../../../server/src/test-support/device-fleet.ts';
import { eventually } from '../../../server/src/test-support/mqtt-device.ts';
import { createDevice, type Device, type DeviceOptions, type ModuleOptions } from '../index.ts';

export async function stateOf(f: DeviceFleet, d: TestDevice, planId = f.planId) {
  return (await f.t.app.services.plans.listUpgrades(planId, { deviceId: d.id }, { limit: 1 })).items[0]!
    .state;
}

/** Waits for the device's upgrade to end (success or failure) and returns its state. */
export function ended(f: DeviceFleet, d: TestDevice, planId = f.planId) {
  return eventually(async () => {
    const state = await stateOf(f, d, planId);
    return state.status === 'success' || state.status === 'failure' ? state : undefined;
  });
}

export function failureReason(state: UpgradeState) {
  return state.status === 'failure' ? state.failureReason : state.lastFailureReason;
}

/** Where the devices connect, besides `server`. */
type Link = Pick<DeviceOptions, 'mqttUrl' | 'coapUrl'>;

export interface SdkFleet {
  /** The fleet; set once the suite's `before` has run. */
  readonly f: DeviceFleet;
  /** The folder of the devices' state folders. */
  readonly dir: string;
  /** Options of device `d` with module `default` at 1.0, whose installs land in `installed`. */
  options(
    d: TestDevice,
    module?: Partial<ModuleOptions>,
    extra?: Partial<DeviceOptions>,
  ): { opts: DeviceOptions; installed: Buffer[] };
  /**
   * Options of the fleet's gateway, with no module of its own and the fleet's sub-device (named
   * `subName` on the wire) at 1.0, whose installs land in `installed`.
   */
  gatewayOptions(): { opts: DeviceOptions; installed: Buffer[]; subName: string };
  /** Creates a device, stopped after the suite. */
  create(opts: DeviceOptions): Device;
  /** Creates and starts a device, stopped after the suite. */
  start(opts: DeviceOptions): Promise<Device>;
}

/**
 * Registers the suite's `before` and `after` hooks (call it inside `describe`): `prepare` readies
 * the server once the fleet is made (protocols, MQTT, CoAP) and returns where the devices connect.
 */
export function useSdkFleet(setup: {
  transport: DeviceOptions['transport'];
  fleet: Parameters<typeof createDeviceFleet>[0];
  /** The state folder's name prefix, e.g. `updraft-sdk-mqtt-`. */
  dirPrefix: string;
  prepare?: (f: DeviceFleet) => Promise<Link>;
}): SdkFleet {
  let f: DeviceFleet | undefined;
  let link: Link = {};
  let dir = '';
  const open: Device[] = [];
  before(async () => {
    f = await createDeviceFleet(setup.fleet);
    link = (await setup.prepare?.(f)) ?? {};
    dir = await mkdtemp(join(tmpdir(), setup.dirPrefix));
  });
  after(async () => {
    for (const device of open) await device.stop().catch(() => {});
    await f?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  const create = (opts: DeviceOptions) => {
    const device = createDevice(opts);
    open.push(device);
    return device;
  };
  const fleet = () => {
    if (!f) throw new Error("the fleet is made in the suite's before hook");
    return f;
  };
  return {
    get f() {
      return fleet();
    },
    get dir() {
      return dir;
    },
    options(d, module = {}, extra = {}) {
      const installed: Buffer[] = [];
      const opts: DeviceOptions = {
        server: fleet().base,
        transport: setup.transport,
        ...link,
        credentials: { productKey: fleet().productKey, name: d.name, secret: d.secret },
        stateDir: join(dir, d.name),
        modules: {
          default: {
            version: '1.0',
            async install({ path }) {
              installed.push(await readFile(path));
            },
            ...module,
          },
        },
        ...extra,
      };
      return { opts, installed };
    },
    gatewayOptions() {
      const installed: Buffer[] = [];
      const { base, gateway, sub } = fleet();
      const subName = sub.res.replace(/^products\//, '').replace('/devices/', '.');
      const opts: DeviceOptions = {
        server: base,
        transport: setup.transport,
        ...link,
        credentials: { productKey: gateway.res.split('/')[1]!, name: gateway.name, secret: gateway.secret },
        stateDir: join(dir, 'gw'),
        modules: {},
        subDevices: [
          {
            username: subName,
            stateDir: join(dir, 'gw-sub'),
            modules: {
              default: {
                version: '1.0',
                async install({ path }) {
                  installed.push(await readFile(path));
                },
              },
            },
          },
        ],
      };
      return { opts, installed, subName };
    },
    create,
    async start(opts) {
      const device = create(opts);
      await device.start();
      return device;
    },
  };
}

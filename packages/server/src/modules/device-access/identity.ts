// Who is calling, for which device: look-ups by key, name and secret, and the rule for acting
// for another device (a gateway for its sub-devices, a product key for its product's devices).
// How a dialect proves identity on its wire (OneNET's signed token, an MQTT username and
// secret) is the dialect's; the look-ups it needs are here.
import type { AccessCaches } from './caches.ts';
import { type AccessCaller, type DeviceAccess, isProductCaller } from './device-access.ts';
import type { DeviceDirectory } from './ports.ts';

export type Identity = Pick<
  DeviceAccess,
  | 'deviceById'
  | 'deviceByKey'
  | 'deviceInProduct'
  | 'verifySecret'
  | 'secretOf'
  | 'productAccess'
  | 'productOf'
  | 'moduleKindOf'
  | 'actingFor'
  | 'subDevicesOf'
>;

export function createIdentity({
  devices,
  caches,
}: {
  devices: DeviceDirectory;
  caches: Pick<AccessCaches, 'productOf' | 'moduleCodesOf'>;
}): Identity {
  return {
    deviceById: (id) => devices.get(id),
    deviceByKey: (productKey, name) => devices.findByProductKey(productKey, name),
    deviceInProduct: (productId, name) => devices.findByName(productId, name),
    verifySecret: (productKey, name, secret) => devices.verifySecret(productKey, name, secret),
    secretOf: (device) => devices.secretOf(device.id),
    productAccess: (product) => devices.productAccess(product),
    productOf: (productId) => caches.productOf(productId),
    moduleKindOf: async (productId, module) => (await caches.moduleCodesOf(productId, module))?.kind,
    async actingFor(caller: AccessCaller, devId: number) {
      if (isProductCaller(caller)) {
        const device = await devices.get(devId);
        return device && device.productId === caller.productId ? device : undefined;
      }
      if (devId === caller.id) return caller;
      const device = await devices.get(devId);
      return device && device.gatewayId === caller.id ? device : undefined;
    },
    subDevicesOf: (gateway) => devices.subDevicesOf(gateway.id),
  };
}

// A device row as the stores take it, for store tests: a name under a product, with made-up
// secret fields (the stores keep them as given) and whatever else the test sets.
import type { NewDevice } from '../modules/devices/device-store.ts';

export const deviceDraft = (productId: number, name: string, more: Partial<NewDevice> = {}): NewDevice => ({
  productId,
  name,
  gatewayId: null,
  tags: [],
  versions: {},
  secretSalt: `salt-${name}`,
  secretHash: `hash-${name}`,
  ...more,
});

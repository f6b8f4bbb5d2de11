// What device access remembers between requests: plans and packages (frozen once a plan leaves
// draft; devices only ever see running plans), which delta serves a source version, and product
// profiles. Each map is bounded; a full one starts over. A miss is looked up once however many
// ask at the same time: a push chunk asks for its plan, package and product hundreds of times at
// once, before the first answer is in.
import type { Clock } from '../../adapters/clock/clock.ts';
import type { FirmwarePackage } from '../firmware/firmware-store.ts';
import type { ProductProfile } from './device-access.ts';
import type { ModuleCodes } from './module-codes.ts';
import type { AccessPlan, DeviceDirectory, UpgradeDirectory } from './ports.ts';

export interface AccessCaches {
  planOf(id: number): Promise<AccessPlan | undefined>;
  packageOf(id: number): Promise<FirmwarePackage>;
  /** The stored delta from `source` to `target` for the product's module, if any. */
  deltaOf(
    productId: number,
    module: string,
    source: string,
    target: string,
  ): Promise<FirmwarePackage | undefined>;
  productOf(productId: number): Promise<ProductProfile | undefined>;
  /** OneNET's codes and the kind of a product's module (remembered as long as product profiles). */
  moduleCodesOf(productId: number, module: string): Promise<ModuleCodes | undefined>;
}

/** One lookup per key at a time: who asks while it runs gets the same answer (or error). */
function singleFlight<V>(): (key: string, load: () => Promise<V>) => Promise<V> {
  const running = new Map<string, Promise<V>>();
  return (key, load) => {
    let answer = running.get(key);
    if (!answer) {
      answer = load().finally(() => running.delete(key));
      running.set(key, answer);
    }
    return answer;
  };
}

export function createAccessCaches({
  devices,
  upgrades,
  clock,
  deltaCacheMs,
  productCacheMs,
}: {
  devices: Pick<DeviceDirectory, 'productProfile' | 'moduleCodes'>;
  upgrades: Pick<UpgradeDirectory, 'getPlan' | 'getPackage' | 'deltaFor'>;
  clock: Clock;
  /** A delta generated or uploaded while the plan runs is offered within this time. */
  deltaCacheMs: number;
  /** A product's change (sign method, protocols, its modules' codes) is seen within this time. */
  productCacheMs: number;
}): AccessCaches {
  // Answers are kept as settled promises and handed out as they are: a push chunk asks for its
  // plan, package and product hundreds of times, and an async wrapper made a promise each time.
  const plans = new Map<number, Promise<AccessPlan>>();
  const packages = new Map<number, Promise<FirmwarePackage>>();
  const deltas = new Map<string, { pkg: Promise<FirmwarePackage | undefined>; until: number }>();
  const products = new Map<number, { profile: Promise<ProductProfile | undefined>; until: number }>();
  const codes = new Map<string, { codes: ModuleCodes | undefined; until: number }>();
  const loadPlan = singleFlight<AccessPlan | undefined>();
  const loadPackage = singleFlight<FirmwarePackage>();
  const loadDelta = singleFlight<FirmwarePackage | undefined>();
  const loadProduct = singleFlight<ProductProfile | undefined>();
  const loadCodes = singleFlight<ModuleCodes | undefined>();

  return {
    planOf(id) {
      return (
        plans.get(id) ??
        loadPlan(String(id), async () => {
          const plan = await upgrades.getPlan(id);
          if (!plan) return undefined;
          if (plans.size > 10_000) plans.clear();
          plans.set(id, Promise.resolve(plan));
          return plan;
        })
      );
    },

    packageOf(id) {
      return (
        packages.get(id) ??
        loadPackage(String(id), async () => {
          const pkg = await upgrades.getPackage(id);
          if (packages.size > 10_000) packages.clear();
          packages.set(id, Promise.resolve(pkg));
          return pkg;
        })
      );
    },

    deltaOf(productId, module, source, target) {
      const key = `${productId}\u0000${module}\u0000${source}\u0000${target}`;
      const now = clock.now();
      const known = deltas.get(key);
      if (known && known.until > now) return known.pkg;
      return loadDelta(key, async () => {
        const pkg = await upgrades.deltaFor(productId, module, source, target);
        if (deltas.size >= 10_000) deltas.clear();
        deltas.set(key, { pkg: Promise.resolve(pkg), until: now + deltaCacheMs });
        return pkg;
      });
    },

    productOf(productId) {
      const now = clock.now();
      const known = products.get(productId);
      if (known && known.until > now) return known.profile;
      return loadProduct(String(productId), async () => {
        const profile = await devices.productProfile(productId);
        if (products.size >= 10_000) products.clear();
        products.set(productId, { profile: Promise.resolve(profile), until: now + productCacheMs });
        return profile;
      });
    },

    async moduleCodesOf(productId, module) {
      const key = `${productId}\u0000${module}`;
      const now = clock.now();
      const known = codes.get(key);
      if (known && known.until > now) return known.codes;
      return loadCodes(key, async () => {
        const found = await devices.moduleCodes(productId, module);
        if (codes.size >= 10_000) codes.clear();
        codes.set(key, { codes: found, until: now + productCacheMs });
        return found;
      });
    },
  };
}

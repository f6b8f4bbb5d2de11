// A plan as the API gives it (one package, or components in upgrade order; docs/adr/0013),
// made into a checked spec (@updraft/core validatePlanSpec) with its packages looked up and
// checked against the product; and the server-wide rule that plans need verified firmware.
import { planSpecError, UpdraftError, validatePlanSpec } from '@updraft/core';
import type { Clock } from '../../adapters/clock/clock.ts';
import type { SettingStore } from '../settings/setting-store.ts';

/** The setting that makes plans refuse firmware no verification plan has verified. */
export const requireVerifiedSetting = 'plans.requireVerifiedFirmware';

/** What the plans module needs to know of a firmware package (the firmware service fits). */
export interface PackageLookup {
  getPackage(id: number): Promise<{
    id: number;
    productId: number;
    module: string;
    version: string;
    type: 'full' | 'delta';
    sourceVersion: string | null;
    verified: boolean;
  }>;
  /** The product's full packages of a module and version (a rollback plan's target). */
  listPackages(
    filter: { productId: number; module: string; version: string; type: 'full' },
    page: { limit: number },
  ): Promise<{ items: readonly { id: number }[] }>;
}

/** What the plans module needs to know of the catalog: whether a product's module is MCU firmware. */
export interface ProductLookup {
  /** The product's node type and the kind of each of its modules. */
  productShape(productId: number): Promise<{ nodeType: string; moduleKinds: ReadonlyMap<string, string> }>;
}

/** One component of a plan as the API takes it (docs/adr/0011-plan-components.md). */
export interface ComponentInput {
  firmwarePackageId: number;
  specifiedVersions?: string[] | undefined;
}

/**
 * A plan as the API takes it: ids are numbers, packages are named by id. One component is
 * `firmwarePackageId` (and `specifiedVersions`); several are `components`, in upgrade order.
 */
export interface PlanInput {
  name: string;
  productId: number;
  firmwarePackageId?: number | undefined;
  specifiedVersions?: string[] | undefined;
  components?: ComponentInput[] | undefined;
  target:
    | { kind: 'all' }
    | { kind: 'devices'; deviceIds: number[] }
    | { kind: 'groups'; groupIds: number[] }
    | {
        kind: 'versions';
        versions: string[];
      };
  whitelist?: number[] | undefined;
  blacklist?: number[] | undefined;
  /** Waves in order (issue 18); a group wave names its groups by id. */
  waves?: ({ groupIds?: number[] | undefined } & Record<string, unknown>)[] | null | undefined;
  /** A verification plan: a device list; the package is marked verified when all succeed. */
  verification?: boolean | undefined;
  [key: string]: unknown;
}

/** A plan input that may have no name yet (counting its targets does not need one). */
export type UnnamedPlanInput = Partial<Pick<PlanInput, 'name'>> &
  Omit<PlanInput, 'name'> &
  Pick<PlanInput, 'productId' | 'target' | 'whitelist' | 'blacklist'>;

type Package = Awaited<ReturnType<PackageLookup['getPackage']>>;

function componentOf(pkg: Package, specifiedVersions: string[] | undefined) {
  return {
    moduleId: pkg.module,
    firmware:
      pkg.type === 'delta'
        ? {
            kind: 'delta',
            packageId: String(pkg.id),
            targetVersion: pkg.version,
            sourceVersion: pkg.sourceVersion,
          }
        : { kind: 'full', packageId: String(pkg.id), targetVersion: pkg.version },
    ...(specifiedVersions !== undefined && { specifiedVersions }),
  };
}

/** What building a spec reads. Without `products`, components are not checked against the node type. */
export interface SpecDeps {
  packages: PackageLookup;
  products?: ProductLookup | undefined;
  settings: Pick<SettingStore, 'getSetting'>;
  clock: Clock;
  /** The least push period and upgrade timeout, when lower than core's (a setting for tests). */
  minPeriodSeconds?: number | undefined;
}

/** The packages of the input's components, in order, each checked against the product. */
async function componentPackages(
  { packages, products }: SpecDeps,
  input: PlanInput,
): Promise<{ pkg: Package; specified?: string[] }[]> {
  const { firmwarePackageId, specifiedVersions, components, productId } = input;
  if (components !== undefined && (firmwarePackageId !== undefined || specifiedVersions !== undefined)) {
    throw new UpdraftError('VALIDATION_FAILED', 'give components, or firmwarePackageId, not both', {
      field: 'components',
    });
  }
  const listed =
    components ?? (firmwarePackageId === undefined ? [] : [{ firmwarePackageId, specifiedVersions }]);
  if (listed.length === 0) {
    throw new UpdraftError('VALIDATION_FAILED', 'a plan needs firmwarePackageId or components', {
      field: 'firmwarePackageId',
    });
  }
  const shape = products && listed.length > 0 ? await products.productShape(productId) : undefined;
  const found = [];
  for (const [index, item] of listed.entries()) {
    const pkg = await packages.getPackage(item.firmwarePackageId);
    const field = components === undefined ? 'firmwarePackageId' : `components.${index}.firmwarePackageId`;
    if (pkg.productId !== productId) {
      throw new UpdraftError(
        'VALIDATION_FAILED',
        `firmware package ${pkg.id} is not for product ${productId}`,
        {
          field,
        },
      );
    }
    // Quectel: a gateway's sub-devices take module firmware only (protocols.md §3.1).
    if (shape?.nodeType === 'subdevice' && shape.moduleKinds.get(pkg.module) === 'mcu') {
      throw new UpdraftError(
        'VALIDATION_FAILED',
        `sub-devices take module firmware only; module ${pkg.module} is MCU firmware`,
        { field },
      );
    }
    found.push({ pkg, ...(item.specifiedVersions !== undefined && { specified: item.specifiedVersions }) });
  }
  return found;
}

export async function buildSpec(deps: SpecDeps, input: PlanInput) {
  const { settings, clock, minPeriodSeconds } = deps;
  const {
    firmwarePackageId: _id,
    specifiedVersions: _specified,
    components: _components,
    verification,
    productId,
    target,
    whitelist,
    blacklist,
    waves,
    ...rest
  } = input;
  const found = await componentPackages(deps, input);
  const pkg = found[0]!.pkg;
  // Quectel's verification plan (seeds 000, 001): one test device, one package, at most an hour.
  if (verification && (target.kind !== 'devices' || target.deviceIds.length !== 1 || found.length > 1)) {
    throw new UpdraftError(
      'VALIDATION_FAILED',
      'a verification plan targets one test device with one package',
      {
        field: target.kind !== 'devices' || target.deviceIds.length !== 1 ? 'target' : 'components',
      },
    );
  }
  if (!verification && (await settings.getSetting(requireVerifiedSetting)) === 'true') {
    const unverified = found.find((f) => !f.pkg.verified);
    if (unverified) {
      throw new UpdraftError(
        'FIRMWARE_NOT_VERIFIED',
        `firmware package ${unverified.pkg.id} is not verified; run a verification plan first`,
        { firmwarePackageId: unverified.pkg.id },
      );
    }
  }
  const ids = (list: number[] | undefined) => list?.map(String);
  const components = found.map((f) => componentOf(f.pkg, f.specified));
  const raw = {
    ...rest,
    productId: String(productId),
    ...(components.length === 1 ? components[0] : { components }),
    target:
      target.kind === 'devices'
        ? { kind: 'devices', deviceIds: ids(target.deviceIds) }
        : target.kind === 'groups'
          ? { kind: 'groups', groupIds: ids(target.groupIds) }
          : target,
    ...(whitelist !== undefined && { whitelist: ids(whitelist) }),
    ...(blacklist !== undefined && { blacklist: ids(blacklist) }),
    ...(waves !== undefined && {
      waves:
        waves === null
          ? null
          : waves.map((w) => (w.groupIds === undefined ? w : { ...w, groupIds: ids(w.groupIds) })),
    }),
  };
  const checked = validatePlanSpec(raw, {
    now: clock.now(),
    ...(minPeriodSeconds !== undefined && { minPeriodSeconds }),
  });
  if (!checked.ok) throw planSpecError(checked.issues);
  return { spec: checked.spec, pkg };
}

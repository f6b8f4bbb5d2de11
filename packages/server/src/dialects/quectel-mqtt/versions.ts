// Which Updraft module a QuecThing version names (MODULE_VER 25, MCU_VER 26; protocols.md §3.2,
// format decided in packages/protocol's decisions.ts). An entry may name its component
// (`{componentNo}:{version}`); a plain MODULE_VER is the module firmware's and a plain MCU_VER
// entry the MCU's: the component of that kind in the plans the device is in, when there is
// exactly one, else (module firmware) the module `default` (docs/quectel.md, "Versions").
import { parseMcuVersions } from '@updraft/protocol';
import type { AccessDevice, DeviceAccess } from '../../modules/device-access/device-access.ts';

export interface StatedVersion {
  module: string;
  version: string;
}

type Kind = 'module' | 'mcu';

/** The one component of `kind` in the device's plans, if exactly one. */
async function componentOfKind(
  access: Pick<DeviceAccess, 'devicePlans' | 'moduleKindOf'>,
  device: AccessDevice,
  kind: Kind,
): Promise<string | undefined> {
  const modules = new Set<string>();
  for (const plan of await access.devicePlans(device))
    for (const component of plan.components) modules.add(component.module);
  const found: string[] = [];
  for (const module of modules)
    if ((await access.moduleKindOf(device.productId, module)) === kind) found.push(module);
  return found.length === 1 ? found[0] : undefined;
}

/** The versions a request or final report states, each with its module; unplaceable entries are left out. */
export async function statedVersions(
  access: Pick<DeviceAccess, 'devicePlans' | 'moduleKindOf'>,
  device: AccessDevice,
  stated: { moduleVersion?: string; mcuVersion?: string },
): Promise<StatedVersion[]> {
  const out: StatedVersion[] = [];
  const place = async (kind: Kind, entries: ReturnType<typeof parseMcuVersions>) => {
    for (const { componentNo, version } of entries) {
      if (version === '') continue;
      const module =
        componentNo ??
        (await componentOfKind(access, device, kind)) ??
        (kind === 'module' ? 'default' : undefined);
      if (module !== undefined) out.push({ module, version });
    }
  };
  if (stated.moduleVersion !== undefined) await place('module', parseMcuVersions(stated.moduleVersion));
  if (stated.mcuVersion !== undefined) await place('mcu', parseMcuVersions(stated.mcuVersion));
  return out;
}

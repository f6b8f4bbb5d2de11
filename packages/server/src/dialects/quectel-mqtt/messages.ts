// An offer on Quectel's wire: the plan (0x0111) for the component under way, or for a plan of
// several components all of them as TASK_INFO (28), and after the device's confirm the firmware information (0x0113) with a download URL per file (protocols.md
// §3.2; Updraft's additions 8003 and 8004 in packages/protocol's decisions.ts).
import {
  type OtaComponent,
  type OtaFirmwareInfo,
  type QuectelSubDevice,
  quectelComponentType,
  quectelDecisions,
} from '@updraft/protocol';
import type { DevicePlan, Offer } from '../../modules/device-access/device-access.ts';

export const quectelDownloadPath = '/device/v1/quectel/download';

/** COMPONENT_TYPE (7) of an Updraft module kind: MCU firmware is 1, anything else module firmware. */
export function componentTypeOf(kind: string | undefined): number {
  return kind === 'mcu' ? quectelComponentType.mcu : quectelComponentType.module;
}

/** The plan's one component (4 to 10, 8003): what the device confirms or refuses. */
export function planComponentOf(offer: Offer, componentType: number): OtaComponent {
  const { component, spec } = offer;
  const delta = offer.pkg.type === 'delta';
  const source = delta
    ? (offer.pkg.sourceVersion ?? component.sourceVersion ?? undefined)
    : component.specifiedVersions.length > 0
      ? component.specifiedVersions.join(quectelDecisions.sourceVersionSeparator)
      : undefined;
  return {
    componentNo: component.module,
    componentType,
    ...(source !== undefined && { sourceVersion: source }),
    targetVersion: component.targetVersion,
    batteryLimit: spec.minBattery ?? quectelDecisions.noBatteryLimit,
    // The plan's free-space minimum, else the package's size: what the device needs free.
    useSpace: spec.minFreeSpace ?? offer.files.reduce((sum, f) => sum + f.size, 0),
    minSignal: spec.minSignal ?? quectelDecisions.noSignalLimit,
    packageType: delta ? 'delta' : 'full',
  };
}

/**
 * The plan's components for TASK_INFO (28), in the plan's order (ADR 0013): the one offered as
 * its offer has it, the others from the plan (their package's size as USE_SPACE). The device
 * takes the first whose target it does not run; the server takes a confirm for the one under way.
 */
export function taskInfoOf(
  offer: Offer,
  plan: DevicePlan,
  componentTypeOfModule: (module: string) => number,
): OtaComponent[] {
  const { spec } = offer;
  return plan.components.map((c) => {
    if (c.index === offer.component.index) return planComponentOf(offer, componentTypeOfModule(c.module));
    const source =
      c.kind === 'delta'
        ? (c.sourceVersion ?? undefined)
        : c.specifiedVersions.length > 0
          ? c.specifiedVersions.join(quectelDecisions.sourceVersionSeparator)
          : undefined;
    return {
      componentNo: c.module,
      componentType: componentTypeOfModule(c.module),
      ...(source !== undefined && { sourceVersion: source }),
      targetVersion: c.targetVersion,
      batteryLimit: spec.minBattery ?? quectelDecisions.noBatteryLimit,
      useSpace: c.size,
      minSignal: spec.minSignal ?? quectelDecisions.noSignalLimit,
      packageType: c.kind,
    };
  });
}

/** The firmware information for an offer: the first file's fields, DOWN_INFO when there are more. */
export function firmwareInfoOf(
  offer: Offer,
  componentType: number,
  baseUrl: string,
  options: { sha256: boolean; crcs: readonly (string | undefined)[]; subDevice?: QuectelSubDevice },
): OtaFirmwareInfo {
  const files = offer.files.map((f, i) => ({
    index: f.index,
    url: `${baseUrl}${quectelDownloadPath}/${f.token}`,
    size: f.size,
    md5: f.md5,
    name: f.name,
    ...(options.crcs[i] !== undefined && { crc: options.crcs[i] }),
    ...(options.sha256 && { sha256: f.sha256 }),
  }));
  const [first] = files;
  if (!first) throw new Error(`package ${offer.pkg.id} has no file`);
  const { index: _index, ...one } = first;
  return {
    ...one,
    componentNo: offer.component.module,
    componentType,
    targetVersion: offer.component.targetVersion,
    ...(files.length > 1 && { files }),
    ...(options.subDevice && { subDevice: options.subDevice }),
  };
}

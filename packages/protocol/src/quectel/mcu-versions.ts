// MCU_VER (TTLV 26): the versions of a device's MCU components in one string, in the format
// decisions.ts chose (`{componentNo}:{version}` entries joined with `;`; an entry without `:` is
// the version of the one MCU component).
import { quectelDecisions } from './decisions.ts';

const { entrySeparator, nameSeparator } = quectelDecisions.mcuVersions;

export interface McuVersion {
  /** The component (an Updraft module name); null: "the" MCU, when the entry names none. */
  componentNo: string | null;
  version: string;
}

export function formatMcuVersions(versions: readonly McuVersion[]): string {
  return versions
    .map((v) => (v.componentNo === null ? v.version : `${v.componentNo}${nameSeparator}${v.version}`))
    .join(entrySeparator);
}

/** The entries of an MCU_VER string; empty entries are skipped. */
export function parseMcuVersions(text: string): McuVersion[] {
  const out: McuVersion[] = [];
  for (const entry of text.split(entrySeparator)) {
    const trimmed = entry.trim();
    if (trimmed === '') continue;
    const at = trimmed.indexOf(nameSeparator);
    out.push(
      at < 0
        ? { componentNo: null, version: trimmed }
        : { componentNo: trimmed.slice(0, at), version: trimmed.slice(at + 1) },
    );
  }
  return out;
}

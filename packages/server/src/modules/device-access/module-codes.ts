// A device may claim its module's manufacturer and model codes (OneNET `manuf`, `model`,
// protocols.md §2.4 (1), §2.7): a module whose codes are set in the catalogue takes only claims
// that match them (OneNET errno 8). The codes are the module's, not the product's: a FOTA module
// and a SOTA chip of one product differ.

/** OneNET's codes of a module ('' when unset), and its kind (Quectel's component type). */
export interface ModuleCodes {
  manufacturer: string;
  model: string;
  kind: 'firmware' | 'module' | 'mcu';
}

/**
 * Why the claimed codes do not fit the module (null when they do, or were not sent, or the
 * module sets none).
 */
export function moduleCodeMismatch(
  codes: ModuleCodes | undefined,
  manufacturer: string | undefined,
  model: string | undefined,
): string | null {
  if (!codes || (!manufacturer && !model)) return null;
  if (manufacturer && codes.manufacturer !== '' && manufacturer !== codes.manufacturer) {
    return `manuf ${manufacturer} is not the module's ${codes.manufacturer}`;
  }
  if (model && codes.model !== '' && model !== codes.model) {
    return `model ${model} is not the module's ${codes.model}`;
  }
  return null;
}

// OneNET's check names the device's manufacturer and model codes (`manuf`, `model`, protocols.md
// §2.4 (1), §2.7); a product whose manufacturer or model is set in the catalogue takes only
// checks that match it (errno 8). Products change rarely: their codes are remembered a while.
import type { Clock } from '../../adapters/clock/clock.ts';

export interface ProductCodes {
  manufacturer: string;
  model: string;
}

export type ProductCodeLookup = (productId: number) => Promise<ProductCodes | undefined>;

/**
 * A function that says why `manuf`/`model` do not fit the device's product (null when they do,
 * or were not sent, or the product sets neither).
 */
export function createProductCodeCheck(lookup: ProductCodeLookup | undefined, clock: Clock, ttlMs: number) {
  const known = new Map<number, { codes: ProductCodes | undefined; until: number }>();
  async function codesOf(productId: number): Promise<ProductCodes | undefined> {
    const now = clock.now();
    const hit = known.get(productId);
    if (hit && hit.until > now) return hit.codes;
    const codes = await lookup?.(productId);
    if (known.size >= 10_000) known.clear();
    known.set(productId, { codes, until: now + ttlMs });
    return codes;
  }
  return async (
    productId: number,
    manuf: string | undefined,
    model: string | undefined,
  ): Promise<string | null> => {
    if (!manuf && !model) return null;
    const codes = await codesOf(productId);
    if (!codes) return null;
    if (manuf && codes.manufacturer !== '' && manuf !== codes.manufacturer) {
      return `manuf ${manuf} is not the product's ${codes.manufacturer}`;
    }
    if (model && codes.model !== '' && model !== codes.model) {
      return `model ${model} is not the product's ${codes.model}`;
    }
    return null;
  };
}

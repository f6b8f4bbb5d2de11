// The rules a device's own fields follow, shared by single registration and bulk import.
import { isValidVersionName, UpdraftError } from '@updraft/core';

export const deviceNamePattern = /^[A-Za-z0-9._:@-]{1,64}$/;
export const tagPattern = /^[A-Za-z0-9._:-]{1,32}$/;
export const maxTags = 20;

const invalid = (field: string, message: string, details: Record<string, unknown> = {}) =>
  new UpdraftError('VALIDATION_FAILED', message, { field, ...details });

export function checkDeviceName(name: unknown): string {
  if (typeof name !== 'string' || !deviceNamePattern.test(name)) {
    throw invalid('name', 'a device name has 1 to 64 letters, digits, ., _, :, @ or -');
  }
  return name;
}

/** Tags, deduplicated in their given order. */
export function checkTags(tags: unknown): string[] {
  if (!Array.isArray(tags)) throw invalid('tags', 'tags are a list of strings');
  const unique = [...new Set(tags)];
  if (unique.length > maxTags) throw invalid('tags', `a device has at most ${maxTags} tags`);
  for (const tag of unique) {
    if (typeof tag !== 'string' || !tagPattern.test(tag)) {
      throw invalid('tags', 'a tag has 1 to 32 letters, digits, ., _, : or -', { tag });
    }
  }
  return unique as string[];
}

/** Reported versions per module; every module must be one of the product's. */
export function checkVersions(versions: unknown, modules: ReadonlySet<string>): Record<string, string> {
  if (typeof versions !== 'object' || versions === null || Array.isArray(versions)) {
    throw invalid('versions', 'versions map module names to version names');
  }
  const out: Record<string, string> = {};
  for (const [module, version] of Object.entries(versions)) {
    if (!modules.has(module)) {
      throw invalid('versions', `the product has no module ${module}`, { module });
    }
    if (typeof version !== 'string' || !isValidVersionName(version)) {
      throw invalid('versions', `version of ${module} is not 1 to 50 letters, digits, ., _ or -`, { module });
    }
    out[module] = version;
  }
  return out;
}

export function checkSignal(signal: number): number {
  if (!Number.isInteger(signal) || signal < -150 || signal > 0) {
    throw invalid('signal', 'signal is a whole number of dBm from -150 to 0');
  }
  return signal;
}

export function checkBattery(battery: number): number {
  if (!Number.isInteger(battery) || battery < 0 || battery > 100) {
    throw invalid('battery', 'battery is a whole percentage from 0 to 100');
  }
  return battery;
}

/** Bytes free: a whole number from 0 up (what a device reports of its storage). */
export function checkFreeSpace(freeSpace: number): number {
  if (!Number.isSafeInteger(freeSpace) || freeSpace < 0) {
    throw invalid('freeSpace', 'free space is a whole number of bytes from 0');
  }
  return freeSpace;
}

export function checkGroupName(name: string): string {
  const text = name.trim();
  const length = [...text].length;
  if (length < 1 || length > 64) {
    throw invalid('name', 'a group name has 1 to 64 characters');
  }
  return text;
}

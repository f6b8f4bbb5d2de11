// The rules an uploaded firmware package must follow, without I/O: its descriptive fields and
// the names of its files.
import { isValidVersionName, UpdraftError } from '@updraft/core';
import { moduleNamePattern } from '../catalog/catalog-service.ts';
import { type PackageType, packageTypes } from './firmware-store.ts';

export const maxReleaseNotes = 2000;
/** Quectel's limits (protocols.md §3.1): a package name of at most 100, a remark of at most 200. */
export const maxPackageName = 100;
export const maxRemark = 200;
export const maxExtDataKeys = 50;
const maxExtDataKey = 64;
const maxExtDataValue = 1024;
const maxFileNameBytes = 255;

/** The form fields of an upload as they arrive: text, or absent. */
export interface RawPackageFields {
  module?: string | undefined;
  name?: string | undefined;
  version?: string | undefined;
  type?: string | undefined;
  sourceVersion?: string | undefined;
  releaseNotes?: string | undefined;
  remark?: string | undefined;
  /** A JSON object of strings, still as text. */
  extData?: string | undefined;
}

export interface PackageFields {
  module: string;
  name: string;
  version: string;
  type: PackageType;
  sourceVersion: string | null;
  releaseNotes: string;
  remark: string;
  extData: Record<string, string>;
}

const invalid = (field: string, message: string) => new UpdraftError('VALIDATION_FAILED', message, { field });

// Unicode control characters (C0, DEL, C1) would break logs, CSV exports and the console.
const controlCharacter = /\p{Cc}/u;

/** A package name: 1 to 100 characters of any script, no control characters, not blank. */
export function checkPackageName(value: string): string {
  const name = value.trim();
  if (name === '' || [...name].length > maxPackageName || controlCharacter.test(name)) {
    throw invalid('name', `a package name has 1 to ${maxPackageName} characters, no control characters`);
  }
  return name;
}

/**
 * The name a package gets when none is given: its version, a delta's `<version> from <source>`
 * (cut to 100 characters when both versions are very long).
 */
export function defaultPackageName(version: string, sourceVersion: string | null): string {
  return (sourceVersion === null ? version : `${version} from ${sourceVersion}`).slice(0, maxPackageName);
}

export function checkRemark(value: string): string {
  if ([...value].length > maxRemark || controlCharacter.test(value.replace(/[\n\r\t]/g, ' '))) {
    throw invalid('remark', `a remark has at most ${maxRemark} characters`);
  }
  return value;
}

export function checkReleaseNotes(value: string): string {
  if ([...value].length > maxReleaseNotes) {
    throw invalid('releaseNotes', `release notes have at most ${maxReleaseNotes} characters`);
  }
  return value;
}

/** extData is free key-value data for the device: at most 50 string keys with string values. */
export function checkExtData(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid('extData', 'extData is a JSON object of strings');
  }
  const entries = Object.entries(value);
  if (entries.length > maxExtDataKeys) throw invalid('extData', `extData has at most ${maxExtDataKeys} keys`);
  const out: Record<string, string> = {};
  for (const [key, item] of entries) {
    if (key.length < 1 || key.length > maxExtDataKey) {
      throw invalid('extData', `an extData key has 1 to ${maxExtDataKey} characters`);
    }
    if (typeof item !== 'string' || item.length > maxExtDataValue) {
      throw invalid('extData', `extData.${key} is a string of at most ${maxExtDataValue} characters`);
    }
    out[key] = item;
  }
  return out;
}

function parseExtData(text: string | undefined): Record<string, string> {
  if (text === undefined || text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalid('extData', 'extData is not valid JSON');
  }
  return checkExtData(parsed);
}

export function checkPackageFields(raw: RawPackageFields): PackageFields {
  const module = raw.module ?? 'default';
  if (!moduleNamePattern.test(module))
    throw invalid('module', 'a module name has 1 to 32 letters, digits, ., - or _');
  if (raw.version === undefined) throw invalid('version', 'version is required');
  if (!isValidVersionName(raw.version)) {
    throw invalid('version', 'a version has 1 to 50 letters, digits, ., - or _');
  }
  const type = raw.type ?? 'full';
  if (!(packageTypes as readonly string[]).includes(type)) throw invalid('type', 'type is full or delta');
  let sourceVersion: string | null = null;
  if (type === 'delta') {
    if (raw.sourceVersion === undefined)
      throw invalid('sourceVersion', 'a delta package names its sourceVersion');
    if (!isValidVersionName(raw.sourceVersion)) {
      throw invalid('sourceVersion', 'a version has 1 to 50 letters, digits, ., - or _');
    }
    if (raw.sourceVersion === raw.version) {
      throw invalid('sourceVersion', 'a delta goes from one version to another');
    }
    sourceVersion = raw.sourceVersion;
  } else if (raw.sourceVersion !== undefined) {
    throw invalid('sourceVersion', 'only a delta package has a sourceVersion');
  }
  return {
    module,
    name:
      raw.name === undefined ? defaultPackageName(raw.version, sourceVersion) : checkPackageName(raw.name),
    version: raw.version,
    type: type as PackageType,
    sourceVersion,
    releaseNotes: checkReleaseNotes(raw.releaseNotes ?? ''),
    remark: checkRemark(raw.remark ?? ''),
    extData: parseExtData(raw.extData),
  };
}

const badName = (name: string, why: string) =>
  new UpdraftError('FIRMWARE_FILE_NAME', `file name ${JSON.stringify(name)} ${why}`, { name });

/**
 * A file keeps the name it was uploaded with, so the name must be safe to hand back to a device
 * or a browser: no folders, no parent references, no control characters, valid UTF-8.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it rejects
const controlCharacters = /[\u0000-\u001f\u007f]/;

export function checkFileName(name: string, extensions: readonly string[]): string {
  if (name.includes('/') || name.includes('\\') || name.includes('..')) {
    throw badName(name, 'names a folder; send the bare file name');
  }
  if (controlCharacters.test(name)) throw badName(name, 'has control characters');
  // A name that was not UTF-8 on the wire arrives with replacement characters in it.
  if (name.includes('\uFFFD')) throw badName(name, 'is not valid UTF-8');
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes < 1 || bytes > maxFileNameBytes || name.trim() === '') {
    throw badName(name, `has 1 to ${maxFileNameBytes} bytes`);
  }
  const lower = name.toLowerCase();
  if (!extensions.some((ext) => lower.endsWith(ext) && lower.length > ext.length)) {
    throw new UpdraftError(
      'FIRMWARE_FILE_TYPE',
      `file ${JSON.stringify(name)} does not end in ${extensions.join(' ')}`,
      {
        name,
        allowed: extensions,
      },
    );
  }
  return name;
}

// The server's firmware package rules (config defaults), checked before a byte is sent.
import type { MessageKey } from '../i18n/en.ts';

export const firmwareVersionPattern = /^[A-Za-z0-9._-]{1,50}$/;
export const firmwareMaxFiles = 5;
export const firmwareMaxFileBytes = 100 * 1024 * 1024;
export const firmwareExtensions = [
  '.bin',
  '.rar',
  '.pack',
  '.mini_1',
  '.mini_2',
  '.py',
  '.tar',
  '.s19',
  '.bin_1',
  '.bin_2',
  '.zip',
  '.gz',
  '.tar.gz',
] as const;

export interface RuleViolation {
  key: MessageKey;
  vars?: Record<string, string | number>;
}

/** The first broken rule for a set of chosen files, or null. */
export function checkFirmwareFiles(files: readonly { name: string; size: number }[]): RuleViolation | null {
  if (files.length === 0) return { key: 'firmware.invalid.noFiles' };
  if (files.length > firmwareMaxFiles)
    return { key: 'firmware.invalid.tooMany', vars: { max: firmwareMaxFiles } };
  for (const file of files) {
    const name = file.name.toLowerCase();
    if (!firmwareExtensions.some((extension) => name.endsWith(extension))) {
      return { key: 'firmware.invalid.extension', vars: { name: file.name } };
    }
    if (file.size > firmwareMaxFileBytes) return { key: 'firmware.invalid.size', vars: { name: file.name } };
  }
  return null;
}

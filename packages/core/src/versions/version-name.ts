// Version names: 1 to 50 letters, digits, dots, hyphens and underscores. OneNET's firmware
// "target version" (protocols.md §2.6, 1..50 `[A-Za-z0-9._-]`) and Quectel's `[A-Za-z0-9_.-]`
// (§3.1). OneNET's newer 1..20 limit is a device-side constraint the transports check.
export const versionNameMaxLength = 50;
const versionNamePattern = /^[A-Za-z0-9._-]{1,50}$/;

export type VersionNameIssue = 'not_a_string' | 'empty' | 'too_long' | 'invalid_characters';

export function isVersionName(value: unknown): value is string {
  return typeof value === 'string' && versionNamePattern.test(value);
}

/** Why `value` is not a version name, or null when it is one. */
export function checkVersionName(value: unknown): VersionNameIssue | null {
  if (typeof value !== 'string') return 'not_a_string';
  if (value.length === 0) return 'empty';
  if (value.length > versionNameMaxLength) return 'too_long';
  return versionNamePattern.test(value) ? null : 'invalid_characters';
}

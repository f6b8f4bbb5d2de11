// Version names per the seeds: 1 to 50 letters, digits, dots, hyphens and underscores
// (OneNET "target version", Quectel "[A-Za-z0-9_.-]"). The check itself is versions/version-name.ts;
// this pattern is the same rule for JSON schemas.
export { isVersionName as isValidVersionName } from './versions/index.ts';
export const versionNamePattern = '^[A-Za-z0-9._-]{1,50}$';

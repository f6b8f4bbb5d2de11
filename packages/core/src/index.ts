export { type ErrorCode, errorCodes, isUpdraftError, UpdraftError } from './errors.ts';
export { isValidVersionName, versionNamePattern } from './firmware-rules.ts';
export * from './plans/index.ts';
export { hasRole, lesserRole, type Role, roles } from './roles.ts';
export * from './upgrades/index.ts';
export * from './versions/index.ts';

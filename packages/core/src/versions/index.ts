export { compareVersions, sortVersions } from './compare-versions.ts';
export {
  checkVersionName,
  isVersionName,
  type VersionNameIssue,
  versionNameMaxLength,
} from './version-name.ts';

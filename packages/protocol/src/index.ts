export { type Crc16Method, crc16, crc16MethodFromHeader, createCrc16 } from './crc16.ts';
export { contentRange, decideRange, type RangeDecision, type RangeDialect } from './http/range.ts';
export * from './lwm2m/index.ts';
export {
  createOneNetToken,
  type OneNetSignMethod,
  type OneNetToken,
  oneNetStudioTokenVersion,
  oneNetTokenVersion,
  oneNetTokenVersions,
  parseOneNetResource,
  parseOneNetToken,
  type TokenProblem,
  verifyOneNetToken,
} from './onenet/auth-token.ts';
export * from './quectel/index.ts';
export {
  encodeManifest,
  keyIdOf,
  type Manifest,
  ManifestError,
  type ManifestFile,
  type ManifestProblem,
  maxManifestBytes,
  parseManifest,
  privateKeyOf,
  publicKeyOf,
  rawPublicKey,
  signManifest,
  verifyManifestSignature,
} from './signing/manifest.ts';
export {
  buildUpgradePush,
  type MessageProblem,
  type OtaErrorReply,
  otaTopics,
  type ProgressReport,
  parseProgressReport,
  parseVersionInform,
  subDeviceField,
  type UpgradePush,
  type VersionInform,
} from './thingspanel/ota-messages.ts';

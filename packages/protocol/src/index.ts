export { type Crc16Method, crc16, crc16MethodFromHeader, createCrc16 } from './crc16.ts';
export { contentRange, decideRange, type RangeDecision, type RangeDialect } from './http/range.ts';
export {
  createOneNetToken,
  type OneNetSignMethod,
  type OneNetToken,
  oneNetTokenVersion,
  parseOneNetResource,
  parseOneNetToken,
  type TokenProblem,
  verifyOneNetToken,
} from './onenet/auth-token.ts';
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

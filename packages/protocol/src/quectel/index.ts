// The Quectel (QuecThing) device protocol over MQTT, protocols.md §3.2 to §3.4: frame, TTLV, the
// OTA messages, identity and topics, and Updraft's decisions where the sources are silent.
export { quectelDecisions } from './decisions.ts';
export { decodeFrame, encodeFrame, maxFramePayload, type QuectelFrame } from './frame.ts';
export {
  createQuectelPassword,
  parseQuectelPassword,
  type QuectelPassword,
  type QuectelTopicType,
  quectelClientId,
  quectelTopics,
  verifyQuectelPassword,
} from './identity.ts';
export { formatMcuVersions, type McuVersion, parseMcuVersions } from './mcu-versions.ts';
export {
  isQuectelOtaStatus,
  type QuectelOtaStatus,
  quectelCmd,
  quectelComponentType,
  quectelLimits,
  quectelOtaId,
  quectelOtaStatus,
  quectelStatusText,
} from './ota-codes.ts';
export type {
  OtaComponent,
  OtaErrorAnswer,
  OtaEvent,
  OtaFile,
  OtaFirmwareInfo,
  OtaPlan,
  OtaRequest,
  QuectelSubDevice,
} from './ota-messages.ts';
export { isQuectelError, QuectelError, type QuectelErrorCode, quectelErrorCodes } from './quectel-error.ts';
export {
  createPacketIds,
  decodeQuectelMessage,
  decodeQuectelPayload,
  encodeQuectelMessage,
  type QuectelMessage,
} from './quectel-message.ts';
export { decodeTtlv, encodeTtlv, maxTtlvDepth, type TtlvNode } from './ttlv.ts';
export {
  intOf,
  numberOf,
  stringOf,
  TtlvFields,
  ttlvArray,
  ttlvBool,
  ttlvDecimal,
  ttlvInt,
  ttlvString,
  ttlvStruct,
} from './ttlv-values.ts';

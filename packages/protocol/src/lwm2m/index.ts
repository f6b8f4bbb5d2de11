export {
  contentFormats,
  decodeResourceValue,
  decodeTlv,
  decodeTlvIntegers,
  encodeTlvResource,
  isLwm2mPayloadError,
  Lwm2mPayloadError,
  type Lwm2mPayloadErrorCode,
  lwm2mPayloadErrorCodes,
  type ResourceValue,
  type TlvEntry,
} from './content.ts';
export {
  formatPackageFacts,
  formatPackageUri,
  type PackageFacts,
  packageUriMaxLength,
  parsePackageFacts,
  parsePackageUri,
} from './package-uri.ts';
export {
  formatObjectLinks,
  lwm2mRegistrationSignature,
  type ObjectLink,
  parseLifetime,
  parseObjectLinks,
  parseQueryOptions,
  parseRegistration,
  type RegistrationParams,
  type RegistrationProblem,
} from './registration.ts';

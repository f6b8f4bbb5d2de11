export {
  contentFormats,
  decodeResourceValue,
  decodeTlv,
  decodeTlvIntegers,
  encodeTlvResource,
  Lwm2mPayloadError,
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

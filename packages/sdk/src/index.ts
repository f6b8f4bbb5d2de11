// @updraft/sdk: the device side of Updraft upgrades (docs/sdk.md).

export type { Confirmation } from './confirmations.ts';
export {
  type Consent,
  createDevice,
  type Device,
  type DeviceEvent,
  type DeviceOptions,
  type InstallOutcome,
  type InstallUpdate,
  type ModuleOptions,
  type PackageFile,
  type PendingPhase,
  type SubDeviceOptions,
  type UpdateInfo,
  type UpgradeResult,
} from './device.ts';
export { isSdkError, SdkError, type SdkErrorCode, sdkErrorCodes } from './errors.ts';
export type { Credentials, ModuleCodes, Telemetry } from './link.ts';
export type { Offer, OfferFile, UpgradeTexts } from './offer.ts';

// @updraft/sdk: the device side of Updraft upgrades (docs/sdk.md).

export type { Confirmation } from './confirmations.ts';
export {
  createDevice,
  type Device,
  type DeviceEvent,
  type DeviceOptions,
  type ModuleOptions,
  type SubDeviceOptions,
  type UpgradeResult,
} from './device.ts';
export { isSdkError, SdkError, type SdkErrorCode, sdkErrorCodes } from './errors.ts';
export type { Credentials, Telemetry } from './link.ts';
export type { Offer } from './offer.ts';

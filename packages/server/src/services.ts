// The services the transports call, built once by the composition root (app.ts).
import type { AccountService } from './modules/accounts/account-service.ts';
import type { CatalogService } from './modules/catalog/catalog-service.ts';
import type { DeltaService } from './modules/deltas/delta-service.ts';
import type { DeviceAccessService } from './modules/device-access/device-access-service.ts';
import type { DeviceService } from './modules/devices/device-service.ts';
import type { GroupService } from './modules/devices/group-service.ts';
import type { FirmwareService } from './modules/firmware/firmware-service.ts';
import type { PlanService } from './modules/plans/plan-service.ts';
import type { UpgradeEngine } from './modules/plans/upgrade-engine.ts';
import type { WebhookService } from './modules/webhooks/webhook-service.ts';

export interface Services {
  accounts: AccountService;
  catalog: CatalogService;
  firmware: FirmwareService;
  deltas: DeltaService;
  devices: DeviceService;
  groups: GroupService;
  plans: PlanService;
  /** The device-upgrade engine the device transports report to. */
  upgrades: UpgradeEngine;
  webhooks: WebhookService;
  /** What devices do over the device APIs (check, download tokens, reports). */
  deviceAccess: DeviceAccessService;
}

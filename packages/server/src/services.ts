// The services the transports call, built once by the composition root (app.ts).
import type { AccountService } from './modules/accounts/account-service.ts';
import type { AuditService } from './modules/audit/audit-service.ts';
import type { CatalogService } from './modules/catalog/catalog-service.ts';
import type { DeltaService } from './modules/deltas/delta-service.ts';
import type { DeviceAccess } from './modules/device-access/device-access.ts';
import type { DeviceService } from './modules/devices/device-service.ts';
import type { GroupService } from './modules/devices/group-service.ts';
import type { EndUserTokens } from './modules/end-users/enduser-tokens.ts';
import type { OwnerActions } from './modules/end-users/owner-actions.ts';
import type { FirmwareService } from './modules/firmware/firmware-service.ts';
import type { PlanService } from './modules/plans/plan-service.ts';
import type { UpgradeEngine } from './modules/plans/upgrade-engine.ts';
import type { ServerSigner } from './modules/signing/server-signer.ts';
import type { SigningService } from './modules/signing/signing-service.ts';
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
  /** Management changes, recorded by the HTTP transport (transports/http/audit-hook.ts). */
  audit: AuditService;
  /** Signing keys and packages' signatures (docs/signing.md). */
  signing: SigningService;
  /** The server-held signing key, for products that register it (docs/signing.md). */
  serverSigner: ServerSigner;
  /** The device service every dialect calls (canonical: checks, offers, reports, downloads). */
  deviceAccess: DeviceAccess;
  /** The device's owner (docs/enduser-api.md): end-user tokens and what their bearers do. */
  endUsers: { tokens: EndUserTokens; owner: OwnerActions };
}

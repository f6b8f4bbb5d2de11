// Row types of every table, as Kysely sees them. Times are epoch milliseconds, booleans 0/1,
// JSON is text: the same on SQLite and PostgreSQL.
import type { Generated } from 'kysely';

export interface UsersTable {
  id: Generated<number>;
  username: string;
  password_hash: string;
  role: string;
  disabled: number;
  created_at: number;
  updated_at: number;
}

export interface SessionsTable {
  id: string;
  user_id: number;
  csrf_token: string;
  created_at: number;
  expires_at: number;
}

export interface ApiKeysTable {
  id: Generated<number>;
  name: string;
  key_prefix: string;
  key_hash: string;
  role: string;
  created_by: number | null;
  /** 1: made by a user, who may since have been deleted (created_by null); 0: by the CLI. */
  owned: Generated<number>;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface ProductsTable {
  id: Generated<number>;
  name: string;
  product_key: string;
  manufacturer: string;
  model: string;
  node_type: string;
  protocols: string;
  description: string;
  sign_method: string;
  access_key_salt: string | null;
  access_key_hash: string | null;
  /** 1: uploads and plans need a valid signature (migration 19). */
  require_signature: Generated<number>;
  created_at: number;
  updated_at: number;
}

export interface ModulesTable {
  id: Generated<number>;
  product_id: number;
  name: string;
  kind: string;
  description: string;
  created_at: number;
  /** OneNET manufacturer and model codes (migration 9); '' when unset (the column default). */
  manufacturer_code: Generated<string>;
  model_code: Generated<string>;
}

export interface DevicesTable {
  id: Generated<number>;
  product_id: number;
  name: string;
  secret_salt: string;
  secret_hash: string;
  gateway_id: number | null;
  online: number;
  last_seen_at: number | null;
  signal: number | null;
  battery: number | null;
  /** Bytes free, as last reported (migration 20). */
  free_space: number | null;
  tags: string;
  created_at: number;
  updated_at: number;
}

export interface DeviceTagsTable {
  device_id: number;
  tag: string;
}

export interface DeviceVersionsTable {
  device_id: number;
  module: string;
  version: string;
  reported_at: number;
}

/** Migration 23: each product's number of devices, kept by triggers on devices. */
export interface ProductDeviceCountsTable {
  product_id: number;
  devices: number;
}

export interface DeviceGroupsTable {
  id: Generated<number>;
  product_id: number;
  name: string;
  description: string;
  created_at: number;
}

export interface GroupMembersTable {
  group_id: number;
  device_id: number;
  added_at: number;
}

export interface FirmwarePackagesTable {
  id: Generated<number>;
  product_id: number;
  module: string;
  version: string;
  type: string;
  source_version: string | null;
  variant: string;
  release_notes: string;
  ext_data: string;
  verified: number;
  total_size: number;
  /** Unique per product and module (migration 11); the columns default to ''. */
  name: Generated<string>;
  remark: Generated<string>;
  created_by: string;
  created_at: number;
}

/** A product's Ed25519 public keys (migration 19, docs/signing.md). */
export interface SigningKeysTable {
  product_id: number;
  key_id: string;
  name: string;
  /** The raw 32 bytes, base64. */
  public_key: string;
  status: string;
  valid_until: number | null;
  created_by: string;
  created_at: number;
  changed_at: number;
}

/** A package's signed manifest and its detached Ed25519 signature (migration 19). */
export interface PackageSignaturesTable {
  package_id: number;
  manifest: string;
  signature: string;
  key_id: string;
  security_version: number;
  signed_at: number;
}

export interface FirmwareFilesTable {
  id: Generated<number>;
  package_id: number;
  position: number;
  name: string;
  size: number;
  sha256: string;
  md5: string;
}

export interface MigrationsTable {
  id: number;
  name: string;
  applied_at: number;
}

export interface ServerSettingsTable {
  key: string;
  value: string;
}

export interface PlansTable {
  id: Generated<number>;
  product_id: number;
  module: string;
  name: string;
  firmware_package_id: number;
  status: string;
  spec: string;
  verification: number;
  take_over: Generated<number>;
  concurrency: number;
  start_at: number | null;
  deadline: number | null;
  failure_baseline: string | null;
  enrol_cursor: Generated<number>;
  enrol_done: Generated<number>;
  scanned_at: number | null;
  lease_owner: string | null;
  lease_until: number | null;
  created_by: string;
  created_at: number;
  updated_at: number;
  started_at: number | null;
  finished_at: number | null;
  wave_index: Generated<number>;
  wave_phase: Generated<string>;
  wave_until: number | null;
  waves_assigned: Generated<number>;
  /** Migration 22: the upgrade log's pruning, the last device upgrade id done and when it ended. */
  log_prune_cursor: Generated<number>;
  log_pruned_at: number | null;
}

export interface PlanTargetsTable {
  plan_id: number;
  kind: string;
  ref_id: number | null;
  ref_text: string | null;
}

export interface PlanTransitionsTable {
  id: Generated<number>;
  plan_id: number;
  from_status: string;
  to_status: string;
  action: string;
  actor: string;
  at: number;
  reason: string | null;
}

export interface DeviceUpgradesTable {
  id: Generated<number>;
  plan_id: number;
  device_id: number;
  module: string;
  active: number;
  status: string;
  stage: string | null;
  progress: number;
  failure_reason: string | null;
  last_failure_reason: string | null;
  failure_detail: string | null;
  attempts: number;
  auto_retries: number;
  push_count: number;
  mismatch_count: number;
  confirmation: string;
  next_action: string | null;
  next_action_at: number | null;
  reported_version: string | null;
  created_at: number;
  updated_at: number;
  offered_at: number | null;
  started_at: number | null;
  finished_at: number | null;
  component: Generated<number>;
  skipped: Generated<number>;
  /** Migration 13: the window the device's owner appointed. */
  appointed_from: number | null;
  appointed_until: number | null;
  /** Migration 14: the device's refusals of a silent plan's offer. */
  refusals: Generated<number>;
  /** Migration 16: the record's wave. */
  wave: Generated<number>;
  /** Migration 17: the device's version of the module when it was enrolled. */
  from_version: string | null;
}

/** Migration 13: end-user tokens (docs/enduser-api.md), by the SHA-256 of the token. */
export interface EndUserTokensTable {
  id: Generated<number>;
  token_hash: string;
  label: string;
  created_by: string;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
}

export interface EndUserTokenDevicesTable {
  token_id: number;
  device_id: number;
}

export interface DeviceAutoUpgradesTable {
  device_id: number;
  enabled: number;
  updated_by: string;
  updated_at: number;
}

/** Every component of every plan, in order (migration 10). */
export interface PlanComponentsTable {
  plan_id: number;
  position: number;
  module: string;
  package_id: number;
}

export interface DeviceUpgradeLogsTable {
  id: Generated<number>;
  upgrade_id: number;
  at: number;
  event: string;
  from_status: string;
  to_status: string;
  actor: string | null;
  message: string;
}

export interface DeltaJobsTable {
  id: Generated<number>;
  product_id: number;
  module: string;
  source_package_id: number;
  target_package_id: number;
  profile: string;
  format: string;
  status: string;
  active: number;
  progress: Generated<number>;
  result_package_id: number | null;
  error_code: string | null;
  error_message: string | null;
  patch_size: number | null;
  full_compressed_size: number | null;
  attempts: Generated<number>;
  lease_owner: string | null;
  lease_until: number | null;
  created_by: string;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
}

export interface WebhooksTable {
  id: Generated<number>;
  url: string;
  secret: string;
  event_types: string;
  enabled: number;
  description: string;
  created_by: string;
  created_at: number;
  updated_at: number;
}

export interface WebhookDeliveriesTable {
  id: Generated<number>;
  webhook_id: number;
  event_type: string;
  payload: string;
  status: string;
  attempts: number;
  next_attempt_at: number;
  last_status_code: number | null;
  last_error: string | null;
  lease_owner: string | null;
  lease_until: number | null;
  created_at: number;
  delivered_at: number | null;
}

/** Blobs no package refers to, since when (migration 7). */
export interface BlobOrphansTable {
  sha256: string;
  since: number;
}

/** One management change (migration 15). */
export interface AuditLogTable {
  id: Generated<number>;
  at: number;
  actor: string;
  role: string | null;
  address: string;
  method: string;
  route: string;
  path: string;
  entity: string;
  entity_id: string | null;
  action: string;
  status: number;
  before_state: string | null;
  after_state: string | null;
}

/** A change the console follows live (migration 19). */
export interface LiveEventsTable {
  id: Generated<number>;
  at: number;
  kind: string;
  plan_id: number | null;
  data: string;
}

export interface DatabaseSchema {
  server_settings: ServerSettingsTable;
  users: UsersTable;
  sessions: SessionsTable;
  api_keys: ApiKeysTable;
  products: ProductsTable;
  modules: ModulesTable;
  devices: DevicesTable;
  product_device_counts: ProductDeviceCountsTable;
  device_tags: DeviceTagsTable;
  device_versions: DeviceVersionsTable;
  device_groups: DeviceGroupsTable;
  group_members: GroupMembersTable;
  firmware_packages: FirmwarePackagesTable;
  firmware_files: FirmwareFilesTable;
  signing_keys: SigningKeysTable;
  package_signatures: PackageSignaturesTable;
  blob_orphans: BlobOrphansTable;
  updraft_migrations: MigrationsTable;
  plans: PlansTable;
  plan_targets: PlanTargetsTable;
  plan_transitions: PlanTransitionsTable;
  plan_components: PlanComponentsTable;
  device_upgrades: DeviceUpgradesTable;
  device_upgrade_logs: DeviceUpgradeLogsTable;
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
  delta_jobs: DeltaJobsTable;
  enduser_tokens: EndUserTokensTable;
  enduser_token_devices: EndUserTokenDevicesTable;
  device_auto_upgrades: DeviceAutoUpgradesTable;
  audit_log: AuditLogTable;
  live_events: LiveEventsTable;
}

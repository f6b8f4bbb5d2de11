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
  created_by: string;
  created_at: number;
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

export interface DatabaseSchema {
  server_settings: ServerSettingsTable;
  users: UsersTable;
  sessions: SessionsTable;
  api_keys: ApiKeysTable;
  products: ProductsTable;
  modules: ModulesTable;
  devices: DevicesTable;
  device_tags: DeviceTagsTable;
  device_versions: DeviceVersionsTable;
  device_groups: DeviceGroupsTable;
  group_members: GroupMembersTable;
  firmware_packages: FirmwarePackagesTable;
  firmware_files: FirmwareFilesTable;
  updraft_migrations: MigrationsTable;
  plans: PlansTable;
  plan_targets: PlanTargetsTable;
  plan_transitions: PlanTransitionsTable;
  device_upgrades: DeviceUpgradesTable;
  device_upgrade_logs: DeviceUpgradeLogsTable;
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
  delta_jobs: DeltaJobsTable;
}

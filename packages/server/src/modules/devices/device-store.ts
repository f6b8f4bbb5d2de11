import type { Page, PageRequest } from '../pagination.ts';

export interface Device {
  id: number;
  productId: number;
  name: string;
  gatewayId: number | null;
  online: boolean;
  lastSeenAt: number | null;
  /** dBm, -150 to 0. */
  signal: number | null;
  /** Percent, 0 to 100. */
  battery: number | null;
  /** Bytes free for an upgrade, as the device last reported. */
  freeSpace: number | null;
  tags: string[];
  createdAt: number;
  updatedAt: number;
}

/** What is stored of a device secret: the salt it is derived from and its SHA-256. */
export interface DeviceCredential {
  secretSalt: string;
  secretHash: string;
}

export interface NewDevice extends DeviceCredential {
  productId: number;
  name: string;
  gatewayId: number | null;
  tags: string[];
  /** Reported version per module name. */
  versions: Record<string, string>;
}

export interface DeviceVersion {
  module: string;
  version: string;
  reportedAt: number;
}

export interface DeviceFilter {
  productId?: number | undefined;
  /** Name contains, case-insensitive. */
  q?: string | undefined;
  /** With `version`: the module whose reported version must equal it; alone: has reported it. */
  module?: string | undefined;
  version?: string | undefined;
  groupId?: number | undefined;
  tag?: string | undefined;
  online?: boolean | undefined;
  gatewayId?: number | undefined;
}

/** The filters of a list that is already scoped to a group or a gateway. */
export type MemberFilter = Omit<DeviceFilter, 'productId' | 'groupId'>;

export interface Telemetry {
  online?: boolean | undefined;
  signal?: number | undefined;
  battery?: number | undefined;
  freeSpace?: number | undefined;
}

export interface DeviceGroup {
  id: number;
  productId: number;
  name: string;
  description: string;
  createdAt: number;
}

export interface GroupFilter {
  productId?: number | undefined;
  q?: string | undefined;
}

/** The outcome of one device of a batch insert, in input order. */
export type BatchOutcome = { device: Device } | { taken: true };

/** Persistence of devices and device groups (owned by the devices module). */
/** How many of a product's devices run each version of each module. */
export interface FleetVersion {
  module: string;
  version: string;
  devices: number;
}

/** A version a device reported for one of its modules. */
export interface VersionWrite {
  id: number;
  module: string;
  version: string;
}

export interface DeviceStore {
  /** Throws DEVICE_NAME_TAKEN when the product already has a device of that name. */
  insert(input: NewDevice, now: number): Promise<Device>;
  /**
   * Inserts a batch in one transaction; a name taken in the database or earlier in the batch
   * is reported as `taken` instead of failing the batch.
   */
  insertMany(inputs: NewDevice[], now: number): Promise<BatchOutcome[]>;
  get(id: number): Promise<Device | undefined>;
  /** The devices of these ids that exist, in no particular order (one query). */
  getMany(ids: readonly number[]): Promise<Device[]>;
  findByName(productId: number, name: string): Promise<Device | undefined>;
  findByProductKey(productKey: string, name: string): Promise<Device | undefined>;
  getCredential(id: number): Promise<DeviceCredential | undefined>;
  setCredential(id: number, credential: DeviceCredential, now: number): Promise<boolean>;
  list(filter: DeviceFilter, page: PageRequest): Promise<Page<Device>>;
  /** The devices the filter selects, counted up to `atMost` when given (then at most that). */
  countDevices(filter: DeviceFilter, atMost?: number): Promise<number>;
  /** The product's devices, or every product's, from the kept count (one row read, exact). */
  totalDevices(productId?: number): Promise<number>;
  /** Of these ids, those of devices whose product's node type is `gateway`. */
  findGatewayIds(ids: number[]): Promise<Set<number>>;
  update(
    id: number,
    patch: { tags?: string[]; gatewayId?: number | null },
    now: number,
  ): Promise<Device | undefined>;
  delete(id: number): Promise<boolean>;
  versionsOf(id: number): Promise<DeviceVersion[]>;
  /** Every module's version these devices reported, by device id, modules in order (one query). */
  versionsOfMany(ids: readonly number[]): Promise<Map<number, { module: string; version: string }[]>>;
  /** The version last reported for one module (a prepared read: every device check asks it). */
  versionOf(id: number, module: string): Promise<string | undefined>;
  /** The product's devices per reported module version. */
  fleetVersions(productId: number): Promise<FleetVersion[]>;
  setVersion(id: number, module: string, version: string, now: number): Promise<void>;
  /** Several devices' versions in one statement (the last of a device and module wins). */
  setVersions(entries: readonly VersionWrite[], now: number): Promise<void>;
  recordTelemetry(id: number, telemetry: Telemetry, now: number): Promise<Device | undefined>;
  /** Marks several devices seen at `now`, with their telemetry, in one transaction. */
  recordTelemetryMany(entries: readonly { id: number; telemetry: Telemetry }[], now: number): Promise<void>;

  /** Throws GROUP_NAME_TAKEN when the product already has a group of that name. */
  insertGroup(input: Omit<DeviceGroup, 'id' | 'createdAt'>, now: number): Promise<DeviceGroup>;
  getGroup(id: number): Promise<DeviceGroup | undefined>;
  /** Renames or redescribes a group; GROUP_NAME_TAKEN as insertGroup; undefined when there is none. */
  updateGroup(id: number, patch: { name?: string; description?: string }): Promise<DeviceGroup | undefined>;
  /** How many members each of these groups has, by group id (one query). */
  memberCounts(groupIds: readonly number[]): Promise<Map<number, number>>;
  listGroups(filter: GroupFilter, page: PageRequest): Promise<Page<DeviceGroup>>;
  deleteGroup(id: number): Promise<boolean>;
  /** Of these ids, those that are not devices of the product. */
  findForeignDevices(productId: number, ids: number[]): Promise<number[]>;
  /** Adds the devices of the group's product among `ids`; members already there are skipped. */
  addMembers(groupId: number, ids: number[], now: number): Promise<number>;
  /** Adds every device of the group's product that matches, in one statement. */
  addMembersMatching(groupId: number, filter: DeviceFilter, now: number): Promise<number>;
  removeMembers(groupId: number, ids: number[]): Promise<number>;
  /** The group's devices that match `filter` as well. */
  listMembers(groupId: number, filter: MemberFilter, page: PageRequest): Promise<Page<Device>>;
}

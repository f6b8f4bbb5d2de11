// The store of the device owner's side (docs/enduser-api.md): end-user tokens, kept as their
// SHA-256 only, with the devices each may reach; and each device's auto-upgrade switch.
import type { Page, PageRequest } from '../pagination.ts';

export interface EndUserToken {
  id: number;
  label: string;
  /** The devices the token reaches, ascending; never any other. */
  deviceIds: number[];
  createdBy: string;
  createdAt: number;
  expiresAt: number;
  revokedAt: number | null;
}

export interface NewEndUserToken {
  hash: string;
  label: string;
  deviceIds: readonly number[];
  createdBy: string;
  createdAt: number;
  expiresAt: number;
}

export interface EndUserStore {
  createToken(token: NewEndUserToken): Promise<EndUserToken>;
  tokenByHash(hash: string): Promise<EndUserToken | undefined>;
  getToken(id: number): Promise<EndUserToken | undefined>;
  /** Newest first is not needed: by id, keyset pages. */
  listTokens(page: PageRequest): Promise<Page<EndUserToken>>;
  /** Sets revoked_at once; false when there is no such token. */
  revokeToken(id: number, at: number): Promise<boolean>;
  /** Deletes tokens that expired before `before`; returns how many. */
  deleteExpired(before: number): Promise<number>;
  /** The switch of each device (false when never set). */
  autoUpgradeOf(deviceIds: readonly number[]): Promise<Map<number, boolean>>;
  setAutoUpgrade(deviceId: number, enabled: boolean, by: string, at: number): Promise<void>;
  /**
   * Active upgrades awaiting a confirmation on devices whose switch is on (all of them, or one
   * device's), at most `limit`, by id.
   */
  awaitingOnAutoDevices(limit: number, deviceId?: number): Promise<number[]>;
}

// Persistence of download tokens (owned by the device-access module). Only a token's SHA-256 is
// stored, so a database leak does not hand out downloads.
import type { UpgradeSummary } from './device-access.ts';

export interface NewDownloadToken {
  tokenHash: string;
  upgradeId: number;
  deviceId: number;
  packageId: number;
  filePosition: number;
  createdAt: number;
  expiresAt: number;
}

export interface StoredDownloadToken extends Omit<NewDownloadToken, 'tokenHash'> {
  id: number;
  /** Newer tokens were issued for the same upgrade (OneNET D1 errno 15). */
  superseded: boolean;
}

export interface DownloadTokenStore {
  /**
   * Stores the tokens and marks every older token of the same upgrades superseded, in one
   * transaction; of several tokens for one upgrade and file in the batch, the last one stays
   * valid (a package of n files has n valid tokens per upgrade).
   */
  insertMany(tokens: readonly NewDownloadToken[]): Promise<void>;
  findByHash(tokenHash: string): Promise<StoredDownloadToken | undefined>;
  /**
   * The token with its upgrade (undefined when the upgrade is gone), read together: every
   * download request reads both, and on SQLite each statement takes and releases the file's
   * read locks (issue 21).
   */
  findWithUpgrade(
    tokenHash: string,
  ): Promise<{ token: StoredDownloadToken; upgrade: UpgradeSummary | undefined } | undefined>;
  /**
   * The upgrade's valid (not superseded) token for a file of its package, expired or not: the
   * download grant of dialects that name an upgrade rather than a token (OneNET Studio's tid).
   */
  findCurrent(upgradeId: number, filePosition: number): Promise<StoredDownloadToken | undefined>;
  /** Removes tokens that expired before `before`; returns how many. */
  deleteExpired(before: number): Promise<number>;
}

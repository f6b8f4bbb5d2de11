// Persistence of download tokens (owned by the device-access module). Only a token's SHA-256 is
// stored, so a database leak does not hand out downloads.

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
  /** A newer token was issued for the same upgrade (OneNET D1 errno 15). */
  superseded: boolean;
}

export interface DownloadTokenStore {
  /**
   * Stores the tokens and marks every older token of the same upgrades superseded, in one
   * transaction; of several tokens for one upgrade in the batch, the last one stays valid.
   */
  insertMany(tokens: readonly NewDownloadToken[]): Promise<void>;
  findByHash(tokenHash: string): Promise<StoredDownloadToken | undefined>;
  /** Removes tokens that expired before `before`; returns how many. */
  deleteExpired(before: number): Promise<number>;
}

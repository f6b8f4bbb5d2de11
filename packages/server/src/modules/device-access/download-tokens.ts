// Download tokens: random, shown to the device once in the check answer, stored as a SHA-256,
// valid for a configured time (OneNET: 48 hours), bound to one device and one upgrade.
import type { Clock } from '../../adapters/clock/clock.ts';
import { randomToken, sha256Hex } from '../../internal/secrets.ts';
import type { DownloadTokenStore, NewDownloadToken, StoredDownloadToken } from './download-token-store.ts';
import { createEventBatcher } from './event-batcher.ts';

export type TokenProblem = 'unknown' | 'expired' | 'superseded';

export interface TokenGrant {
  upgradeId: number;
  deviceId: number;
  packageId: number;
  filePosition: number;
}

/** Tokens look like OneNET's (`ota_…`); the rest is 24 random bytes, base64url. */
const tokenPattern = /^ota_[A-Za-z0-9_-]{16,64}$/;

export function createDownloadTokens({
  store,
  clock,
  ttlMs,
}: {
  store: DownloadTokenStore;
  clock: Clock;
  ttlMs: number;
}) {
  // Tokens issued in the same turn of the event loop are written in one transaction (SQLite
  // answers a commit per check otherwise: the check path's largest cost after the engine's).
  const writer = createEventBatcher<NewDownloadToken, void>(async (tokens) => {
    await store.insertMany(tokens);
    return tokens.map(() => undefined);
  });
  return {
    ttlMs,
    async issue(grant: TokenGrant): Promise<{ token: string; expiresAt: number }> {
      const token = `ota_${randomToken(24)}`;
      const now = clock.now();
      const expiresAt = now + ttlMs;
      await writer.report({ ...grant, tokenHash: sha256Hex(token), createdAt: now, expiresAt });
      return { token, expiresAt };
    },

    /** The grant behind a token, or why it does not download. */
    async resolve(
      token: string,
    ): Promise<{ grant: StoredDownloadToken } | { problem: TokenProblem; grant?: StoredDownloadToken }> {
      if (!tokenPattern.test(token)) return { problem: 'unknown' };
      const grant = await store.findByHash(sha256Hex(token));
      if (!grant) return { problem: 'unknown' };
      if (grant.expiresAt <= clock.now()) return { problem: 'expired', grant };
      if (grant.superseded) return { problem: 'superseded', grant };
      return { grant };
    },
  };
}

export type DownloadTokens = ReturnType<typeof createDownloadTokens>;

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
  // A device checks again and again while it is offered an upgrade: the token this process
  // issued last for the upgrade is answered again while it keeps at least half its lifetime
  // (one read instead of a write transaction per check). The read catches a newer token issued
  // by another instance, which superseded this one.
  const latest = new Map<number, { token: string; grant: TokenGrant; expiresAt: number }>();
  async function reusable(grant: TokenGrant, now: number) {
    const known = latest.get(grant.upgradeId);
    if (
      !known ||
      known.expiresAt - now <= ttlMs / 2 ||
      known.grant.deviceId !== grant.deviceId ||
      known.grant.packageId !== grant.packageId ||
      known.grant.filePosition !== grant.filePosition
    ) {
      return undefined;
    }
    const stored = await store.findByHash(sha256Hex(known.token));
    return stored && !stored.superseded ? known : undefined;
  }
  return {
    ttlMs,
    /**
     * A token for the grant: the upgrade's current one while it may be reused, else a new one
     * that supersedes the older tokens of the upgrade; `fresh` always issues a new one.
     */
    async issue(grant: TokenGrant, fresh = false): Promise<{ token: string; expiresAt: number }> {
      const now = clock.now();
      const known = fresh ? undefined : await reusable(grant, now);
      if (known) return { token: known.token, expiresAt: known.expiresAt };
      const token = `ota_${randomToken(24)}`;
      const expiresAt = now + ttlMs;
      if (latest.size >= 200_000) latest.clear();
      latest.set(grant.upgradeId, { token, grant, expiresAt });
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

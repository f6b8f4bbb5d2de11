// Download tokens: random, shown to the device once in the check answer, stored as a SHA-256,
// valid for a configured time (OneNET: 48 hours), bound to one device, one upgrade and one file
// of the package offered: a package of n files gets n tokens, issued and written together.
import type { Clock } from '../../adapters/clock/clock.ts';
import { createTokenSource, sha256Hex } from '../../internal/secrets.ts';
import type { UpgradeSummary } from './device-access.ts';
import type { TokenProblem } from './device-problems.ts';
import type { DownloadTokenStore, NewDownloadToken, StoredDownloadToken } from './download-token-store.ts';
import { createEventBatcher } from './event-batcher.ts';

export interface TokenGrant {
  upgradeId: number;
  deviceId: number;
  packageId: number;
  /** The files of the package offered (1-based positions), one token each. */
  filePositions: readonly number[];
}

/** The tokens of one grant, in the order of its file positions. */
export interface IssuedTokens {
  tokens: { position: number; token: string }[];
  expiresAt: number;
}

/** Tokens look like OneNET's (`ota_…`); the rest is 24 random bytes, base64url. */
const tokenPattern = /^ota_[A-Za-z0-9_-]{16,64}$/;

const sameGrant = (a: TokenGrant, b: TokenGrant) =>
  a.deviceId === b.deviceId &&
  a.packageId === b.packageId &&
  a.filePositions.length === b.filePositions.length &&
  a.filePositions.every((p, i) => b.filePositions[i] === p);

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
  // answers a commit per check otherwise: the check path's largest cost after the engine's), a
  // push chunk's (transports/push-queue.ts: 500) in one. The tokens of one grant stay in one
  // batch: a later batch supersedes the upgrade's tokens.
  const writer = createEventBatcher<readonly NewDownloadToken[], void>(async (groups) => {
    await store.insertMany(groups.flat());
    return groups.map(() => undefined);
  }, 500);
  // 24 random bytes a token, cut from a larger draw (one randomBytes call per token was a tenth
  // of a push's cost).
  const randomToken = createTokenSource(24);
  // A device checks again and again while it is offered an upgrade: the tokens this process
  // issued last for the upgrade are answered again while they keep at least half their lifetime
  // (one read instead of a write transaction per check). The read catches newer tokens issued
  // by another instance, which superseded these.
  // Each with its first token's hash, which is what the read looks up (hashed once, not per check).
  type Latest = { issued: IssuedTokens; grant: TokenGrant; firstHash: string | undefined };
  const latest = new Map<number, Latest>();
  async function reusable(known: Latest, grant: TokenGrant, now: number): Promise<IssuedTokens | undefined> {
    if (known.issued.expiresAt - now <= ttlMs / 2 || !sameGrant(known.grant, grant)) return undefined;
    const stored = known.firstHash !== undefined && (await store.findByHash(known.firstHash));
    return stored && !stored.superseded ? known.issued : undefined;
  }
  return {
    ttlMs,
    /**
     * Tokens for the grant, one per file: the upgrade's current ones while they may be reused,
     * else new ones that supersede every older token of the upgrade; `fresh` always issues new ones.
     */
    async issue(grant: TokenGrant, fresh = false): Promise<IssuedTokens> {
      const now = clock.now();
      // A push's upgrade has none yet: no read, no promise.
      const last = fresh ? undefined : latest.get(grant.upgradeId);
      const known = last === undefined ? undefined : await reusable(last, grant, now);
      if (known) return known;
      const expiresAt = now + ttlMs;
      const issued: IssuedTokens = {
        tokens: grant.filePositions.map((position) => ({ position, token: `ota_${randomToken()}` })),
        expiresAt,
      };
      const { filePositions: _, ...base } = grant;
      const rows = issued.tokens.map(({ position, token }) => ({
        ...base,
        filePosition: position,
        tokenHash: sha256Hex(token),
        createdAt: now,
        expiresAt,
      }));
      if (latest.size >= 200_000) latest.clear();
      latest.set(grant.upgradeId, { issued, grant, firstHash: rows[0]?.tokenHash });
      await writer.report(rows);
      return issued;
    },

    /**
     * The upgrade's current grant for a file of its package (what its newest offer issued), or
     * why there is none that downloads: for dialects that name the upgrade instead of a token.
     */
    async current(
      upgradeId: number,
      filePosition: number,
    ): Promise<{ grant: StoredDownloadToken } | { problem: TokenProblem }> {
      const grant = await store.findCurrent(upgradeId, filePosition);
      if (!grant) return { problem: 'unknown' };
      if (grant.expiresAt <= clock.now()) return { problem: 'expired' };
      return { grant };
    },

    /**
     * The grant behind a token with its upgrade (undefined when gone), or why it does not
     * download. Read on every download request, token and upgrade in one statement.
     */
    async resolve(
      token: string,
    ): Promise<
      | { grant: StoredDownloadToken; upgrade: UpgradeSummary | undefined }
      | { problem: TokenProblem; grant?: StoredDownloadToken }
    > {
      if (!tokenPattern.test(token)) return { problem: 'unknown' };
      const found = await store.findWithUpgrade(sha256Hex(token));
      if (!found) return { problem: 'unknown' };
      const { token: grant, upgrade } = found;
      if (grant.expiresAt <= clock.now()) return { problem: 'expired', grant };
      if (grant.superseded) return { problem: 'superseded', grant };
      return { grant, upgrade };
    },
  };
}

export type DownloadTokens = ReturnType<typeof createDownloadTokens>;

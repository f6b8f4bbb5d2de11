// End-user tokens (docs/enduser-api.md): issued through the management API for a set of
// devices, short-lived, revocable, stored as their SHA-256 only. The token is shown once.
import { createHash, randomBytes } from 'node:crypto';
import { UpdraftError } from '@updraft/core';
import type { Clock } from '../../adapters/clock/clock.ts';
import type { PageRequest } from '../pagination.ts';
import type { EndUserStore, EndUserToken } from './enduser-store.ts';

export const endUserTokenLimits = {
  ttlSeconds: { min: 60, max: 7 * 86_400, default: 3_600 },
  devices: 1_000,
  label: 100,
} as const;

const tokenPattern = /^eut_[A-Za-z0-9_-]{43}$/;
const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');

/** What a valid token lets its bearer reach. */
export interface EndUserSession {
  tokenId: number;
  deviceIds: ReadonlySet<number>;
  /** For upgrade logs: `enduser:{tokenId}`. */
  actor: string;
}

export interface IssueInput {
  deviceIds: readonly number[];
  label?: string | undefined;
  ttlSeconds?: number | undefined;
}

export function createEndUserTokens({
  store,
  devices,
  clock,
}: {
  store: EndUserStore;
  /** Throws NOT_FOUND for an unknown device (the device service fits). */
  devices: { getDevice(id: number): Promise<unknown> };
  clock: Clock;
}) {
  function invalid(field: string, message: string): UpdraftError {
    return new UpdraftError('VALIDATION_FAILED', message, { field });
  }

  return {
    /** A new token for the devices; the token itself is returned here only. */
    async issue(input: IssueInput, createdBy: string): Promise<{ token: string; record: EndUserToken }> {
      const ids = [...new Set(input.deviceIds)].sort((a, b) => a - b);
      if (ids.length === 0) throw invalid('deviceIds', 'a token reaches one device at least');
      if (ids.length > endUserTokenLimits.devices) {
        throw invalid('deviceIds', `a token reaches at most ${endUserTokenLimits.devices} devices`);
      }
      const { min, max } = endUserTokenLimits.ttlSeconds;
      const ttl = input.ttlSeconds ?? endUserTokenLimits.ttlSeconds.default;
      if (!Number.isInteger(ttl) || ttl < min || ttl > max) {
        throw invalid('ttlSeconds', `a token lives ${min} to ${max} seconds`);
      }
      const label = (input.label ?? '').trim();
      if ([...label].length > endUserTokenLimits.label || /\p{Cc}/u.test(label)) {
        throw invalid(
          'label',
          `a label has at most ${endUserTokenLimits.label} characters, no control characters`,
        );
      }
      for (const id of ids) await devices.getDevice(id);
      const token = `eut_${randomBytes(32).toString('base64url')}`;
      const now = clock.now();
      const record = await store.createToken({
        hash: hashOf(token),
        label,
        deviceIds: ids,
        createdBy,
        createdAt: now,
        expiresAt: now + ttl * 1000,
      });
      return { token, record };
    },

    list: (page: PageRequest) => store.listTokens(page),

    /** Neither expired nor revoked, now. */
    isActive: (token: EndUserToken) => token.revokedAt === null && token.expiresAt > clock.now(),

    async get(id: number): Promise<EndUserToken> {
      const token = await store.getToken(id);
      if (!token)
        throw new UpdraftError('NOT_FOUND', `no end-user token ${id}`, { resource: 'enduser_token', id });
      return token;
    },

    async revoke(id: number): Promise<void> {
      if (!(await store.revokeToken(id, clock.now()))) {
        throw new UpdraftError('NOT_FOUND', `no end-user token ${id}`, { resource: 'enduser_token', id });
      }
    },

    /** The session of a bearer token; ENDUSER_TOKEN_INVALID when unknown, expired or revoked. */
    async authenticate(token: string): Promise<EndUserSession> {
      const found = tokenPattern.test(token) ? await store.tokenByHash(hashOf(token)) : undefined;
      if (!found || found.revokedAt !== null || found.expiresAt <= clock.now()) {
        throw new UpdraftError('ENDUSER_TOKEN_INVALID', 'the end-user token is unknown, expired or revoked');
      }
      return { tokenId: found.id, deviceIds: new Set(found.deviceIds), actor: `enduser:${found.id}` };
    },

    /** Tokens a day past their expiry go (until then they answer "expired" like any other). */
    sweepExpired: () => store.deleteExpired(clock.now() - 86_400_000),
  };
}

export type EndUserTokens = ReturnType<typeof createEndUserTokens>;

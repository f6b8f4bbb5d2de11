// Users, console sign-in sessions and API keys.
import { hasRole, lesserRole, type Role, UpdraftError } from '@updraft/core';
import type { Clock } from '../../adapters/clock/clock.ts';
import {
  equalHex,
  generatePassword,
  hashPassword,
  randomToken,
  sha256Hex,
  verifyPassword,
} from '../../internal/secrets.ts';
import type { PageRequest } from '../pagination.ts';
import type { AccountStore, ApiKey, ApiKeyFilter, User, UserFilter } from './account-store.ts';
import { checkPassword } from './password-policy.ts';

/** Who is making a management call. */
export interface Principal {
  kind: 'user' | 'api_key';
  id: number;
  name: string;
  /** For an API key: the lesser of its own role and its owner's current role. */
  role: Role;
  /** CSRF token of the cookie session; null for API keys. */
  csrfToken: string | null;
  /** The user an API key acts for (null: a key of the `updraft keys` command); a user's own id. */
  ownerId: number | null;
}

const usernamePattern = /^[A-Za-z0-9._@-]{1,64}$/;
const apiKeyPattern = /^upd_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

export interface AccountServiceOptions {
  store: AccountStore;
  clock: Clock;
  sessionTtlMs: number;
}

export function createAccountService({ store, clock, sessionTtlMs }: AccountServiceOptions) {
  async function createUser(input: { username: string; password: string; role: Role }): Promise<User> {
    if (!usernamePattern.test(input.username)) {
      throw new UpdraftError('VALIDATION_FAILED', 'a username has 1 to 64 letters, digits, dots, @, - or _', {
        field: 'username',
      });
    }
    checkPassword(input.password, input.username);
    if (await store.findUserByName(input.username)) {
      throw new UpdraftError('USERNAME_TAKEN', `user ${input.username} exists`, { username: input.username });
    }
    return store.insertUser({
      username: input.username,
      passwordHash: await hashPassword(input.password),
      role: input.role,
      now: clock.now(),
    });
  }

  return {
    createUser,

    /** First start: creates the admin account and returns its one-time password, or null if users exist. */
    async bootstrapAdmin(
      username: string,
      password: string | null,
    ): Promise<{ username: string; password: string } | null> {
      if ((await store.countUsers()) > 0) return null;
      const chosen = password ?? generatePassword();
      try {
        await createUser({ username, password: chosen, role: 'admin' });
      } catch (error) {
        // Several instances started at once on an empty database: one of them created it.
        if (await store.findUserByName(username)) return null;
        throw error;
      }
      return { username, password: chosen };
    },

    async login(
      username: string,
      password: string,
    ): Promise<{ token: string; csrfToken: string; user: User; expiresAt: number }> {
      const user = await store.findUserByName(username);
      // Verify against a dummy hash when the user is unknown so that timing does not tell.
      const ok = await verifyPassword(
        password,
        user?.passwordHash ?? 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAA',
      );
      if (!user || !ok || user.disabled) {
        throw new UpdraftError('INVALID_CREDENTIALS', 'unknown username or wrong password');
      }
      const token = randomToken();
      const csrfToken = randomToken(24);
      const now = clock.now();
      const expiresAt = now + sessionTtlMs;
      await store.insertSession({
        id: sha256Hex(token),
        userId: user.id,
        csrfToken,
        expiresAt,
        createdAt: now,
      });
      const { passwordHash: _, ...plain } = user;
      return { token, csrfToken, user: plain, expiresAt };
    },

    async logout(token: string): Promise<void> {
      await store.deleteSession(sha256Hex(token));
    },

    async authenticateSession(token: string): Promise<Principal | undefined> {
      const session = await store.findSession(sha256Hex(token), clock.now());
      if (!session) return undefined;
      const user = await store.getUser(session.userId);
      if (!user || user.disabled) return undefined;
      return {
        kind: 'user',
        id: user.id,
        name: user.username,
        role: user.role,
        csrfToken: session.csrfToken,
        ownerId: user.id,
      };
    },

    async authenticateApiKey(secret: string): Promise<Principal | undefined> {
      const match = apiKeyPattern.exec(secret);
      if (!match?.[1]) return undefined;
      const key = await store.findApiKeyByPrefix(match[1]);
      if (!key || key.revokedAt !== null || !equalHex(key.hash, sha256Hex(secret))) return undefined;
      let role = key.role;
      if (key.owned) {
        // A key acts for its owner: never with more than the owner's role now, and not at all
        // once the owner is disabled or deleted.
        const owner = key.createdBy === null ? undefined : await store.getUser(key.createdBy);
        if (!owner || owner.disabled) return undefined;
        role = lesserRole(role, owner.role);
      }
      await store.touchApiKey(key.id, clock.now());
      return { kind: 'api_key', id: key.id, name: key.name, role, csrfToken: null, ownerId: key.createdBy };
    },

    getUser: (id: number) => store.getUser(id),
    listUsers: (filter: UserFilter, page: PageRequest) => store.listUsers(filter, page),

    async updateUser(
      actor: Principal,
      id: number,
      patch: { role?: Role; disabled?: boolean; password?: string },
    ): Promise<User> {
      if (actor.kind === 'user' && actor.id === id && (patch.role !== undefined || patch.disabled)) {
        throw new UpdraftError('FORBIDDEN', 'you cannot change your own role or disable yourself');
      }
      if (patch.password !== undefined) {
        const current = await store.getUser(id);
        if (!current) throw new UpdraftError('NOT_FOUND', `no user ${id}`, { resource: 'user', id });
        checkPassword(patch.password, current.username);
      }
      const user = await store.updateUser(id, {
        ...(patch.role !== undefined && { role: patch.role }),
        ...(patch.disabled !== undefined && { disabled: patch.disabled }),
        ...(patch.password !== undefined && { passwordHash: await hashPassword(patch.password) }),
        now: clock.now(),
      });
      if (!user) throw new UpdraftError('NOT_FOUND', `no user ${id}`, { resource: 'user', id });
      if (patch.password !== undefined || patch.disabled || patch.role !== undefined)
        await store.deleteSessionsOfUser(id);
      return user;
    },

    async resetPassword(username: string): Promise<string> {
      const user = await store.findUserByName(username);
      if (!user) throw new UpdraftError('NOT_FOUND', `no user ${username}`, { resource: 'user', username });
      const password = generatePassword();
      await store.updateUser(user.id, { passwordHash: await hashPassword(password), now: clock.now() });
      await store.deleteSessionsOfUser(user.id);
      return password;
    },

    /** Creates an API key; the secret is returned once and only its hash is kept. */
    async createApiKey(
      actor: Principal | null,
      input: { name: string; role: Role },
    ): Promise<{ key: ApiKey; secret: string }> {
      const name = input.name.trim();
      if (name.length < 1 || name.length > 100) {
        throw new UpdraftError('VALIDATION_FAILED', 'an API key name has 1 to 100 characters', {
          field: 'name',
        });
      }
      if (actor && !hasRole(actor.role, input.role)) {
        throw new UpdraftError('FORBIDDEN', 'an API key cannot have a higher role than its creator');
      }
      const prefix = randomToken(12).replace(/[-_]/g, '0').slice(0, 12);
      const secret = `upd_${prefix}_${randomToken(32)}`;
      const key = await store.insertApiKey({
        name,
        prefix,
        hash: sha256Hex(secret),
        role: input.role,
        // A key made with a key acts for the same owner as the key that made it.
        createdBy: actor?.ownerId ?? null,
        now: clock.now(),
      });
      return { key, secret };
    },

    listApiKeys: (filter: ApiKeyFilter, page: PageRequest) => store.listApiKeys(filter, page),

    async revokeApiKey(id: number): Promise<ApiKey> {
      const key = await store.revokeApiKey(id, clock.now());
      if (!key) throw new UpdraftError('NOT_FOUND', `no API key ${id}`, { resource: 'api_key', id });
      return key;
    },
  };
}

export type AccountService = ReturnType<typeof createAccountService>;

import type { Role } from '@updraft/core';
import type { Page, PageRequest } from '../pagination.ts';

export interface User {
  id: number;
  username: string;
  role: Role;
  disabled: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface ApiKey {
  id: number;
  name: string;
  prefix: string;
  role: Role;
  /** The user the key acts for; null for keys of the `updraft keys` command (or a deleted owner). */
  createdBy: number | null;
  /** Made by a user: the key acts with no more than that user's role, and dies with the user. */
  owned: boolean;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

export interface UserFilter {
  role?: Role | undefined;
  /** Username contains, case-insensitive. */
  q?: string | undefined;
  disabled?: boolean | undefined;
}

export interface ApiKeyFilter {
  role?: Role | undefined;
  /** true: revoked keys only; false: keys in use only. */
  revoked?: boolean | undefined;
}

export interface Session {
  id: string;
  userId: number;
  csrfToken: string;
  expiresAt: number;
}

/** Persistence of users, console sessions and API keys (owned by the accounts module). */
export interface AccountStore {
  countUsers(): Promise<number>;
  insertUser(user: { username: string; passwordHash: string; role: Role; now: number }): Promise<User>;
  findUserByName(username: string): Promise<(User & { passwordHash: string }) | undefined>;
  getUser(id: number): Promise<User | undefined>;
  listUsers(filter: UserFilter, page: PageRequest): Promise<Page<User>>;
  updateUser(
    id: number,
    patch: { role?: Role; disabled?: boolean; passwordHash?: string; now: number },
  ): Promise<User | undefined>;
  insertSession(session: Session & { createdAt: number }): Promise<void>;
  findSession(id: string, now: number): Promise<Session | undefined>;
  deleteSession(id: string): Promise<void>;
  deleteSessionsOfUser(userId: number): Promise<void>;
  insertApiKey(key: {
    name: string;
    prefix: string;
    hash: string;
    role: Role;
    createdBy: number | null;
    now: number;
  }): Promise<ApiKey>;
  findApiKeyByPrefix(prefix: string): Promise<(ApiKey & { hash: string }) | undefined>;
  listApiKeys(filter: ApiKeyFilter, page: PageRequest): Promise<Page<ApiKey>>;
  revokeApiKey(id: number, now: number): Promise<ApiKey | undefined>;
  touchApiKey(id: number, now: number): Promise<void>;
}

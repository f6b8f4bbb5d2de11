// Where audit entries are kept (adapters/db/kysely-audit-store.ts).
import type { Page } from '../pagination.ts';

export interface AuditEntry {
  id: number;
  at: number;
  /** `user:{name}` or `key:{name}`, as plan logs name who acts. */
  actor: string;
  role: string | null;
  /** The client's address as the HTTP server saw it. */
  address: string;
  method: string;
  /** The route's pattern, e.g. /api/v1/plans/:id/publish. */
  route: string;
  /** The path called, e.g. /api/v1/plans/12/publish. */
  path: string;
  /** What kind of thing changed: plan, product, device, user, api-key, … */
  entity: string;
  entityId: string | null;
  /** create, update, delete, or what the route does to the entity (publish, upgrades.retry, …). */
  action: string;
  status: number;
  /** The entity before the change (its GET answer), when small; null otherwise. */
  before: unknown;
  /** The change's answer, when small; null otherwise. Secrets are redacted in both. */
  after: unknown;
}

export type NewAuditEntry = Omit<AuditEntry, 'id'>;

export interface AuditFilter {
  actor?: string | undefined;
  entity?: string | undefined;
  entityId?: string | undefined;
  action?: string | undefined;
  /** Epoch ms, inclusive. */
  from?: number | undefined;
  /** Epoch ms, exclusive. */
  to?: number | undefined;
}

export interface AuditStore {
  insert(entry: NewAuditEntry): Promise<void>;
  /** Newest first; `after` is the id to continue below. */
  list(filter: AuditFilter, page: { after?: number | undefined; limit: number }): Promise<Page<AuditEntry>>;
  /** Removes entries older than `before`; returns how many. */
  deleteBefore(before: number): Promise<number>;
}

// AuditStore on Kysely: the audit_log table (migration 15), newest first.
import type { Kysely, Selectable } from 'kysely';
import type { AuditEntry, AuditStore } from '../../modules/audit/audit-store.ts';
import { toPage } from '../../modules/pagination.ts';
import type { AuditLogTable, DatabaseSchema } from './schema.ts';

const parse = (text: string | null): unknown => (text === null ? null : JSON.parse(text));
const text = (value: unknown): string | null =>
  value === null || value === undefined ? null : JSON.stringify(value);

function toEntry(row: Selectable<AuditLogTable>): AuditEntry {
  return {
    id: Number(row.id),
    at: Number(row.at),
    actor: row.actor,
    role: row.role,
    address: row.address,
    method: row.method,
    route: row.route,
    path: row.path,
    entity: row.entity,
    entityId: row.entity_id,
    action: row.action,
    status: row.status,
    before: parse(row.before_state),
    after: parse(row.after_state),
  };
}

export function createKyselyAuditStore(db: Kysely<DatabaseSchema>): AuditStore {
  return {
    async insert(entry) {
      await db
        .insertInto('audit_log')
        .values({
          at: entry.at,
          actor: entry.actor,
          role: entry.role,
          address: entry.address,
          method: entry.method,
          route: entry.route,
          path: entry.path,
          entity: entry.entity,
          entity_id: entry.entityId,
          action: entry.action,
          status: entry.status,
          before_state: text(entry.before),
          after_state: text(entry.after),
        })
        .execute();
    },
    async list(filter, { after, limit }) {
      let query = db.selectFrom('audit_log').selectAll();
      if (filter.actor !== undefined) query = query.where('actor', '=', filter.actor);
      if (filter.entity !== undefined) query = query.where('entity', '=', filter.entity);
      if (filter.entityId !== undefined) query = query.where('entity_id', '=', filter.entityId);
      if (filter.action !== undefined) query = query.where('action', '=', filter.action);
      if (filter.from !== undefined) query = query.where('at', '>=', filter.from);
      if (filter.to !== undefined) query = query.where('at', '<', filter.to);
      if (after !== undefined) query = query.where('id', '<', after);
      const rows = await query
        .orderBy('id', 'desc')
        .limit(limit + 1)
        .execute();
      return toPage(rows.map(toEntry), limit);
    },
    async deleteBefore(before) {
      const result = await db.deleteFrom('audit_log').where('at', '<', before).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

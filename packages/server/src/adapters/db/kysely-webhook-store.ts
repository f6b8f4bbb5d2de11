// WebhookStore on Kysely, and the outbox writer the plan store calls inside its transactions.
import { CompiledQuery, type Kysely, type Selectable, sql, type Transaction } from 'kysely';
import { toPage } from '../../modules/pagination.ts';
import type {
  Delivery,
  DeliveryStatus,
  Webhook,
  WebhookEventType,
  WebhookStore,
} from '../../modules/webhooks/webhook-store.ts';
import type { SqlDialect } from './migrations/migration.ts';
import type { DatabaseSchema, WebhookDeliveriesTable, WebhooksTable } from './schema.ts';

type Db = Kysely<DatabaseSchema> | Transaction<DatabaseSchema>;

export interface OutboxEvent {
  type: WebhookEventType;
  /** When the transition happened; deliveries are due from then. */
  at: number;
  payload: unknown;
}

/**
 * Queues one delivery per event and subscribed, enabled webhook, in the caller's transaction:
 * the transition and its notification commit together or not at all.
 */
export async function enqueueWebhookEvents(
  trx: Db,
  dialect: SqlDialect,
  events: readonly OutboxEvent[],
): Promise<void> {
  if (events.length === 0) return;
  const now = Math.max(...events.map((e) => e.at));
  const types = [...new Set(events.map((e) => e.type))];
  const subscribed = await sql<{ n: number }>`select count(*) as n from webhooks where enabled = 1
    and (${sql.join(
      types.map((t) => sql`event_types like ${`%"${t}"%`}`),
      sql` or `,
    )})`.execute(trx);
  if (Number(subscribed.rows[0]?.n ?? 0) === 0) return;
  const join = `join webhooks w on w.enabled = 1 and w.event_types like '%"' || e.t || '"%'`;
  const columns = 'webhook_id, event_type, payload, status, attempts, next_attempt_at, created_at';
  for (let i = 0; i < events.length; i += 500) {
    const chunk = events.slice(i, i + 500);
    const bodies = chunk.map((e) => JSON.stringify(e.payload));
    if (dialect === 'postgres') {
      await trx.executeQuery(
        CompiledQuery.raw(
          `insert into webhook_deliveries (${columns}) select w.id, e.t, e.p, 'pending', 0, $3::bigint, $3::bigint
           from unnest($1::text[], $2::text[]) as e (t, p) ${join}`,
          [chunk.map((e) => e.type), bodies, now],
        ),
      );
    } else {
      const values = chunk.map(() => '(?, ?)').join(', ');
      await trx.executeQuery(
        CompiledQuery.raw(
          `with e (t, p) as (values ${values}) insert into webhook_deliveries (${columns})
           select w.id, e.t, e.p, 'pending', 0, ?, ? from e ${join}`,
          [...chunk.flatMap((e, k) => [e.type, bodies[k]]), now, now],
        ),
      );
    }
  }
}

function toWebhook(row: Selectable<WebhooksTable>): Webhook {
  return {
    id: Number(row.id),
    url: row.url,
    secret: row.secret,
    eventTypes: JSON.parse(row.event_types) as WebhookEventType[],
    enabled: row.enabled === 1,
    description: row.description,
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toDelivery(row: Selectable<WebhookDeliveriesTable>): Delivery {
  return {
    id: Number(row.id),
    webhookId: Number(row.webhook_id),
    eventType: row.event_type as WebhookEventType,
    payload: row.payload,
    status: row.status as DeliveryStatus,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastStatusCode: row.last_status_code,
    lastError: row.last_error,
    createdAt: row.created_at,
    deliveredAt: row.delivered_at,
  };
}

export function createKyselyWebhookStore(db: Kysely<DatabaseSchema>, dialect: SqlDialect): WebhookStore {
  const skipLocked = sql.raw(dialect === 'postgres' ? ' for update skip locked' : '');
  return {
    async insert(webhook) {
      const row = await db
        .insertInto('webhooks')
        .values({
          url: webhook.url,
          secret: webhook.secret,
          event_types: JSON.stringify(webhook.eventTypes),
          enabled: webhook.enabled ? 1 : 0,
          description: webhook.description,
          created_by: webhook.createdBy,
          created_at: webhook.createdAt,
          updated_at: webhook.updatedAt,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toWebhook(row);
    },
    async get(id) {
      const row = await db.selectFrom('webhooks').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toWebhook(row);
    },
    async list({ after, limit }) {
      const rows = await db
        .selectFrom('webhooks')
        .selectAll()
        .$if(after !== undefined, (q) => q.where('id', '>', after!))
        .orderBy('id')
        .limit(limit + 1)
        .execute();
      return toPage(rows.map(toWebhook), limit);
    },
    async update(id, patch, now) {
      const row = await db
        .updateTable('webhooks')
        .set({
          updated_at: now,
          ...(patch.url !== undefined && { url: patch.url }),
          ...(patch.eventTypes !== undefined && { event_types: JSON.stringify(patch.eventTypes) }),
          ...(patch.enabled !== undefined && { enabled: patch.enabled ? 1 : 0 }),
          ...(patch.description !== undefined && { description: patch.description }),
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row && toWebhook(row);
    },
    async delete(id) {
      const result = await db.deleteFrom('webhooks').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async listDeliveries(webhookId, { after, limit }) {
      const rows = await db
        .selectFrom('webhook_deliveries')
        .selectAll()
        .where('webhook_id', '=', webhookId)
        .$if(after !== undefined, (q) => q.where('id', '>', after!))
        .orderBy('id')
        .limit(limit + 1)
        .execute();
      return toPage(rows.map(toDelivery), limit);
    },
    async claimDue(owner, now, leaseMs, limit) {
      return db.transaction().execute(async (trx) => {
        const due = await sql<{ id: number }>`select id from webhook_deliveries where status = 'pending'
          and next_attempt_at <= ${now} and (lease_until is null or lease_until < ${now})
          order by next_attempt_at, id limit ${limit}${skipLocked}`.execute(trx);
        const ids = due.rows.map((r) => Number(r.id));
        if (ids.length === 0) return [];
        await trx
          .updateTable('webhook_deliveries')
          .set({ lease_owner: owner, lease_until: now + leaseMs })
          .where('id', 'in', ids)
          .execute();
        const rows = await trx
          .selectFrom('webhook_deliveries as d')
          .innerJoin('webhooks as w', 'w.id', 'd.webhook_id')
          .selectAll('d')
          .select(['w.url', 'w.secret'])
          .where('d.id', 'in', ids)
          .orderBy('d.id')
          .execute();
        return rows.map((row) => ({ ...toDelivery(row), url: row.url, secret: row.secret }));
      });
    },
    async recordOutcome(outcome, owner) {
      await db
        .updateTable('webhook_deliveries')
        .set({
          status: outcome.status,
          attempts: outcome.attempts,
          next_attempt_at: outcome.nextAttemptAt,
          last_status_code: outcome.statusCode,
          last_error: outcome.error,
          delivered_at: outcome.deliveredAt,
          lease_owner: null,
          lease_until: null,
        })
        .where('id', '=', outcome.id)
        .where('lease_owner', '=', owner)
        .execute();
    },
  };
}

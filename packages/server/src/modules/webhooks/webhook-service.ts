// Webhook subscriptions and their delivery: plan and device-upgrade transitions are written to
// webhook_deliveries in the transaction that made them (an outbox), and the scheduler's loop
// sends what is due, signed with HMAC-SHA256, retrying with exponential backoff. A crash after
// sending and before recording sends again once the lease expires: at least once; receivers
// drop repeats by the X-Updraft-Delivery id.
import { createHmac, randomBytes } from 'node:crypto';
import { UpdraftError } from '@updraft/core';
import type { Clock } from '../../adapters/clock/clock.ts';
import type { PageRequest } from '../pagination.ts';
import {
  type Delivery,
  type DeliveryOutcome,
  type Webhook,
  type WebhookEventType,
  type WebhookStore,
  webhookEventTypes,
} from './webhook-store.ts';
import { checkWebhookTarget } from './webhook-target.ts';

/** How a delivery leaves: adapters/http/webhook-sender.ts in production, a fake in tests. */
export type SendWebhook = (
  url: string,
  init: { headers: Record<string, string>; body: string; timeoutMs: number },
) => Promise<{ status: number }>;

export const webhookRetry = { maxAttempts: 8, firstDelayMs: 10_000, maxDelayMs: 3_600_000 };

/** `sha256=<hex>` over `<timestamp>.<body>`: binding the time stops replays of old bodies. */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export interface WebhookInput {
  url: string;
  eventTypes: string[];
  description?: string | undefined;
  secret?: string | undefined;
}

function checkUrl(url: string, allowPrivate: boolean): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UpdraftError('VALIDATION_FAILED', 'url is not a URL', { field: 'url' });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new UpdraftError('VALIDATION_FAILED', 'url must be http or https', { field: 'url' });
  }
  checkWebhookTarget(parsed, allowPrivate);
  return parsed.toString();
}

function checkEventTypes(types: string[]): WebhookEventType[] {
  const unknown = types.filter((t) => !(webhookEventTypes as readonly string[]).includes(t));
  if (unknown.length > 0 || types.length === 0) {
    throw new UpdraftError('VALIDATION_FAILED', `event types are ${webhookEventTypes.join(', ')}`, {
      field: 'eventTypes',
      unknown,
    });
  }
  return [...new Set(types)] as WebhookEventType[];
}

export function createWebhookService({
  store,
  clock,
  send,
  allowPrivate = false,
  owner = `webhooks-${randomBytes(6).toString('hex')}`,
  leaseMs = 60_000,
  timeoutMs = 10_000,
}: {
  store: WebhookStore;
  clock: Clock;
  send: SendWebhook;
  /** UPDRAFT_WEBHOOK_ALLOW_PRIVATE: URLs may name loopback, private and link-local addresses. */
  allowPrivate?: boolean;
  owner?: string;
  leaseMs?: number;
  timeoutMs?: number;
}) {
  async function get(id: number): Promise<Webhook> {
    const webhook = await store.get(id);
    if (!webhook) throw new UpdraftError('NOT_FOUND', `no webhook ${id}`, { resource: 'webhook', id });
    return webhook;
  }

  async function attempt(delivery: Delivery & { url: string; secret: string }): Promise<DeliveryOutcome> {
    const now = clock.now();
    const attempts = delivery.attempts + 1;
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      const response = await send(delivery.url, {
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Updraft-Webhooks/1',
          'x-updraft-event': delivery.eventType,
          'x-updraft-delivery': String(delivery.id),
          'x-updraft-timestamp': String(now),
          'x-updraft-signature': signWebhook(delivery.secret, now, delivery.payload),
        },
        body: delivery.payload,
        timeoutMs,
      });
      statusCode = response.status;
      if (response.status < 200 || response.status >= 300) error = `HTTP ${response.status}`;
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    }
    if (error === null) {
      return {
        id: delivery.id,
        status: 'delivered',
        attempts,
        nextAttemptAt: now,
        statusCode,
        error,
        deliveredAt: now,
      };
    }
    const delay = Math.min(webhookRetry.firstDelayMs * 2 ** (attempts - 1), webhookRetry.maxDelayMs);
    return {
      id: delivery.id,
      status: attempts >= webhookRetry.maxAttempts ? 'failed' : 'pending',
      attempts,
      nextAttemptAt: now + delay,
      statusCode,
      error,
      deliveredAt: null,
    };
  }

  return {
    get,
    async create(input: WebhookInput, actor: string): Promise<Webhook> {
      const now = clock.now();
      const secret = input.secret ?? randomBytes(24).toString('base64url');
      if (secret.length < 16) {
        throw new UpdraftError('VALIDATION_FAILED', 'a secret has at least 16 characters', {
          field: 'secret',
        });
      }
      return store.insert({
        url: checkUrl(input.url, allowPrivate),
        secret,
        eventTypes: checkEventTypes(input.eventTypes),
        enabled: true,
        description: input.description ?? '',
        createdBy: actor,
        createdAt: now,
        updatedAt: now,
      });
    },
    list: (page: PageRequest) => store.list(page),
    async update(
      id: number,
      patch: { url?: string; eventTypes?: string[]; enabled?: boolean; description?: string },
    ): Promise<Webhook> {
      await get(id);
      const updated = await store.update(
        id,
        {
          ...(patch.url !== undefined && { url: checkUrl(patch.url, allowPrivate) }),
          ...(patch.eventTypes !== undefined && { eventTypes: checkEventTypes(patch.eventTypes) }),
          ...(patch.enabled !== undefined && { enabled: patch.enabled }),
          ...(patch.description !== undefined && { description: patch.description }),
        },
        clock.now(),
      );
      return updated ?? get(id);
    },
    async remove(id: number): Promise<void> {
      if (!(await store.delete(id)))
        throw new UpdraftError('NOT_FOUND', `no webhook ${id}`, { resource: 'webhook', id });
    },
    async deliveries(id: number, page: PageRequest) {
      await get(id);
      return store.listDeliveries(id, page);
    },

    /** One scheduler step: sends due deliveries, a few at a time, and records each outcome. */
    async deliverDue(limit = 50): Promise<number> {
      const due = await store.claimDue(owner, clock.now(), leaseMs, limit);
      const parallel = 8;
      for (let i = 0; i < due.length; i += parallel) {
        const outcomes = await Promise.all(due.slice(i, i + parallel).map(attempt));
        for (const outcome of outcomes) await store.recordOutcome(outcome, owner);
      }
      return due.length;
    },
  };
}

export type WebhookService = ReturnType<typeof createWebhookService>;

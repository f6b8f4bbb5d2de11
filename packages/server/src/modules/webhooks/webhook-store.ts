import type { Page, PageRequest } from '../pagination.ts';

export const webhookEventTypes = [
  'plan.transition',
  'device_upgrade.transition',
  'wave.started',
  'wave.completed',
  'wave.halted',
] as const;
export type WebhookEventType = (typeof webhookEventTypes)[number];

export interface Webhook {
  id: number;
  url: string;
  /** The HMAC key; shown once, when the subscription is created. */
  secret: string;
  eventTypes: WebhookEventType[];
  enabled: boolean;
  description: string;
  createdBy: string;
  createdAt: number;
  updatedAt: number;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface Delivery {
  id: number;
  webhookId: number;
  eventType: WebhookEventType;
  /** The JSON body, exactly as sent (the signature covers these bytes). */
  payload: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: number;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: number;
  deliveredAt: number | null;
}

export interface DeliveryOutcome {
  id: number;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: number;
  statusCode: number | null;
  error: string | null;
  deliveredAt: number | null;
}

/** Persistence of webhook subscriptions and deliveries (owned by the webhooks module). */
export interface WebhookStore {
  insert(webhook: Omit<Webhook, 'id'>): Promise<Webhook>;
  get(id: number): Promise<Webhook | undefined>;
  list(page: PageRequest): Promise<Page<Webhook>>;
  update(
    id: number,
    patch: Partial<Pick<Webhook, 'url' | 'eventTypes' | 'enabled' | 'description'>>,
    now: number,
  ): Promise<Webhook | undefined>;
  delete(id: number): Promise<boolean>;
  listDeliveries(webhookId: number, page: PageRequest): Promise<Page<Delivery>>;
  /** Leases due pending deliveries (one instance each); a lease that expires is taken again. */
  claimDue(
    owner: string,
    now: number,
    leaseMs: number,
    limit: number,
  ): Promise<(Delivery & { url: string; secret: string })[]>;
  recordOutcome(outcome: DeliveryOutcome, owner: string): Promise<void>;
}

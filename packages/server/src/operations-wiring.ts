// Metrics and readiness over the rest of the service: part of the composition root (app.ts),
// which calls these once. Counting happens in wrappers here, so that the push queue, the webhook
// sender and the scheduler know nothing of Prometheus.
import type { Clock } from './adapters/clock/clock.ts';
import { type Database, pingDatabase } from './adapters/db/database.ts';
import { createKyselyMetricStore } from './adapters/db/kysely-metric-store.ts';
import type { StorageState } from './adapters/storage/storage-check.ts';
import type { BlobStore } from './modules/firmware/blob-store.ts';
import type { Metrics } from './modules/operations/metrics.ts';
import { blobStoreProbe, brokerProbe } from './modules/operations/probes.ts';
import { cachedProbe, createReadiness, type Readiness } from './modules/operations/readiness.ts';
import type { SendWebhook } from './modules/webhooks/webhook-service.ts';
import type { PushingDialect } from './transports/push-queue.ts';

/** Counts each push a dialect puts on its wire, and each that fails. */
export function countPushes(dialect: PushingDialect, metrics: Metrics): PushingDialect {
  return {
    name: dialect.name,
    protocol: dialect.protocol,
    ...(dialect.pushesLinks !== undefined && { pushesLinks: dialect.pushesLinks }),
    async reach(device) {
      const send = await dialect.reach(device);
      if (!send) return undefined;
      return async (module, offer) => {
        try {
          await send(module, offer);
          metrics.countPush(dialect.name, 'sent');
        } catch (error) {
          metrics.countPush(dialect.name, 'failed');
          throw error;
        }
      };
    },
    ...(dialect.withdraw && { withdraw: dialect.withdraw.bind(dialect) }),
  };
}

/** Counts webhook delivery attempts: a 2xx answer is delivered, anything else failed. */
export function countWebhookSends(send: SendWebhook, metrics: Metrics): SendWebhook {
  return async (url, init) => {
    try {
      const answer = await send(url, init);
      metrics.countWebhook(answer.status >= 200 && answer.status < 300 ? 'delivered' : 'failed');
      return answer;
    } catch (error) {
      metrics.countWebhook('failed');
      throw error;
    }
  };
}

/** The database's gauges and pool on the metrics. */
export function measureDatabase(metrics: Metrics, database: Database, clock: Clock): void {
  const store = createKyselyMetricStore(database.db);
  metrics.setSources({
    upgradeCounts: () => store.upgradeCounts(clock.now() - 24 * 3600_000),
    deltaJobCounts: () => store.deltaJobCounts(),
    databasePool: () => database.poolStats?.() ?? null,
  });
}

/**
 * GET /readyz's probes: the database, the blob store (kept 10 s), the MQTT transport, and the
 * folders Updraft writes to (read-only, missing or full, as `updraft storage` tells; statfs only).
 */
export function readinessOf({
  database,
  blobs,
  broker,
  clock,
  storage,
}: {
  database: Database;
  blobs: BlobStore;
  broker: () => { connected(): boolean } | undefined;
  clock: Clock;
  storage: () => readonly StorageState[];
}): Readiness {
  return createReadiness([
    { name: 'database', probe: () => pingDatabase(database) },
    {
      name: 'storage',
      async probe() {
        const faults = storage().filter((s) => s.state !== 'ok');
        if (faults.length > 0) throw new Error(faults.map((s) => `${s.code}: ${s.message}`).join('; '));
      },
    },
    cachedProbe(blobStoreProbe(blobs), 10_000, () => clock.now()),
    brokerProbe(() => {
      const transport = broker();
      if (!transport) return 'not started';
      return transport.connected() ? 'connected' : 'disconnected';
    }),
  ]);
}

// What the service measures for Prometheus (GET /metrics, docs/deployment.md "Monitoring").
// The port is owned here; adapters/metrics/prometheus-metrics.ts renders it with prom-client.
// Counters are bumped where things happen (HTTP hook, push senders, webhook sender, scheduler);
// gauges of stored state (upgrades by plan and status, delta jobs) are read at scrape time.

export interface UpgradeCount {
  planId: number;
  status: string;
  count: number;
}

export interface StatusCount {
  status: string;
  count: number;
}

export interface PoolStats {
  /** Connections open (idle or in use). */
  total: number;
  idle: number;
  /** Queries waiting for a connection. */
  waiting: number;
  max: number;
}

/** What a scrape reads from the rest of the service. */
export interface MetricSources {
  /** Devices connected now, per transport; undefined when this instance cannot tell. */
  deviceConnections(): Record<string, number | undefined>;
  /** Device messages handled since start, per transport. */
  deviceMessages(): Record<string, number>;
  /** Device upgrades of live plans and of plans finished in the last day, by plan and status. */
  upgradeCounts(): Promise<UpgradeCount[]>;
  deltaJobCounts(): Promise<StatusCount[]>;
  /** The database connection pool (PostgreSQL); null for SQLite's one connection. */
  databasePool(): PoolStats | null;
  /** Event-stream (SSE) clients connected to this instance. */
  eventStreamClients(): number;
}

export interface Metrics {
  /** One answered HTTP request: the route's pattern ('unmatched' for none), method, status. */
  observeHttp(route: string, method: string, status: number, seconds: number): void;
  /** One push put on a dialect's wire, or failed to be. */
  countPush(dialect: string, outcome: 'sent' | 'failed'): void;
  /** One webhook delivery attempt: answered 2xx, or not (error, timeout, other status). */
  countWebhook(outcome: 'delivered' | 'failed'): void;
  /** One scheduler pass: how late it started against its interval, and how long it ran. */
  observeSchedulerTick(lagSeconds: number, durationSeconds: number): void;
  /** Where scrape-time gauges read from; set once the transports exist. */
  setSources(sources: Partial<MetricSources>): void;
  /** The Prometheus text exposition. */
  render(): Promise<{ contentType: string; body: string }>;
}

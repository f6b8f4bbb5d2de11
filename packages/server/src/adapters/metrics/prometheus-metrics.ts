// The Metrics port on prom-client (the maintained Prometheus client for Node): one registry per
// app (several apps share a test process), Node's process metrics beside Updraft's own.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { MetricSources, Metrics } from '../../modules/operations/metrics.ts';

const none: MetricSources = {
  deviceConnections: () => ({}),
  deviceMessages: () => ({}),
  upgradeCounts: async () => [],
  deltaJobCounts: async () => [],
  databasePool: () => null,
  eventStreamClients: () => 0,
};

export function createPrometheusMetrics(): Metrics {
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry });
  let sources: MetricSources = { ...none };

  const httpRequests = new Counter({
    name: 'updraft_http_requests_total',
    help: 'HTTP requests answered, by route pattern, method and status',
    labelNames: ['route', 'method', 'status'] as const,
    registers,
  });
  const httpSeconds = new Histogram({
    name: 'updraft_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by route pattern and method',
    labelNames: ['route', 'method'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers,
  });
  const pushes = new Counter({
    name: 'updraft_pushes_total',
    help: 'Upgrade offers pushed to devices, by dialect and outcome (sent, failed)',
    labelNames: ['dialect', 'outcome'] as const,
    registers,
  });
  const webhooks = new Counter({
    name: 'updraft_webhook_deliveries_total',
    help: 'Webhook delivery attempts, by outcome (delivered: a 2xx answer; failed: anything else)',
    labelNames: ['outcome'] as const,
    registers,
  });
  const webhookFailures = new Counter({
    name: 'updraft_webhook_failures_total',
    help: 'Webhook delivery attempts that failed (error, timeout or a status other than 2xx)',
    registers,
  });
  const schedulerLag = new Gauge({
    name: 'updraft_scheduler_lag_seconds',
    help: "How late the scheduler's last pass started against its interval",
    registers,
  });
  const schedulerTicks = new Histogram({
    name: 'updraft_scheduler_tick_duration_seconds',
    help: 'Time one scheduler pass over the live plans and its steps took',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  });
  new Gauge({
    name: 'updraft_device_connections',
    help: 'Devices connected to this instance now, by transport',
    labelNames: ['transport'] as const,
    registers,
    collect() {
      this.reset();
      for (const [transport, n] of Object.entries(sources.deviceConnections())) {
        if (n !== undefined) this.set({ transport }, n);
      }
    },
  });
  new Counter({
    name: 'updraft_device_messages_total',
    help: 'Device messages this instance handled, by transport',
    labelNames: ['transport'] as const,
    registers,
    collect() {
      this.reset();
      for (const [transport, n] of Object.entries(sources.deviceMessages())) this.inc({ transport }, n);
    },
  });
  new Gauge({
    name: 'updraft_upgrades',
    help: 'Device upgrades of live plans (and of plans finished in the last day), by plan and status',
    labelNames: ['plan', 'status'] as const,
    registers,
    async collect() {
      const counts = await sources.upgradeCounts();
      this.reset();
      for (const { planId, status, count } of counts) this.set({ plan: String(planId), status }, count);
    },
  });
  new Gauge({
    name: 'updraft_delta_jobs',
    help: 'Delta jobs, by status',
    labelNames: ['status'] as const,
    registers,
    async collect() {
      const counts = await sources.deltaJobCounts();
      this.reset();
      for (const { status, count } of counts) this.set({ status }, count);
    },
  });
  new Gauge({
    name: 'updraft_db_pool_connections',
    help: 'Database pool connections (PostgreSQL), by state: total, idle, waiting (queries queued), max',
    labelNames: ['state'] as const,
    registers,
    collect() {
      this.reset();
      const pool = sources.databasePool();
      if (!pool) return;
      for (const state of ['total', 'idle', 'waiting', 'max'] as const) this.set({ state }, pool[state]);
    },
  });
  new Gauge({
    name: 'updraft_event_stream_clients',
    help: 'Event-stream (server-sent events) clients connected to this instance',
    registers,
    collect() {
      this.set(sources.eventStreamClients());
    },
  });

  return {
    observeHttp(route, method, status, seconds) {
      httpRequests.inc({ route, method, status: String(status) });
      httpSeconds.observe({ route, method }, seconds);
    },
    countPush(dialect, outcome) {
      pushes.inc({ dialect, outcome });
    },
    countWebhook(outcome) {
      webhooks.inc({ outcome });
      if (outcome === 'failed') webhookFailures.inc();
    },
    observeSchedulerTick(lagSeconds, durationSeconds) {
      schedulerLag.set(lagSeconds);
      schedulerTicks.observe(durationSeconds);
    },
    setSources(next) {
      sources = { ...sources, ...next };
    },
    async render() {
      // prom-client writes a NaN sample (the event loop's lag before it has a sample) as "Nan";
      // the text format spells it "NaN" (Go's parser takes either, OpenMetrics' only the latter).
      const body = (await registry.metrics()).replace(/ Nan$/gm, ' NaN');
      return { contentType: registry.contentType, body };
    },
  };
}

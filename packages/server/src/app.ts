// The composition root: the one place that builds adapters, modules and transports and wires
// them together. Nothing else imports both modules and adapters.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { FastifyInstance } from 'fastify';
import { openBlobStore } from './adapters/blob/open-blob-store.ts';
import { withReadAhead } from './adapters/blob/read-ahead-blob-store.ts';
import { type Clock, systemClock } from './adapters/clock/clock.ts';
import { type Database, openDatabase, prepareSchema } from './adapters/db/database.ts';
import { createKyselyAccountStore } from './adapters/db/kysely-account-store.ts';
import { createKyselyAuditStore } from './adapters/db/kysely-audit-store.ts';
import { createKyselyBlobOrphanStore } from './adapters/db/kysely-blob-orphan-store.ts';
import { createKyselyCatalogStore } from './adapters/db/kysely-catalog-store.ts';
import { createKyselyDeltaJobStore } from './adapters/db/kysely-delta-job-store.ts';
import { createKyselyDeviceStore } from './adapters/db/kysely-device-store.ts';
import { createKyselyDownloadTokenStore } from './adapters/db/kysely-download-token-store.ts';
import { createKyselyEndUserStore } from './adapters/db/kysely-enduser-store.ts';
import { createKyselyFirmwareStore } from './adapters/db/kysely-firmware-store.ts';
import { createKyselyLiveEventStore } from './adapters/db/kysely-live-event-store.ts';
import { createKyselyPlanStore } from './adapters/db/kysely-plan-store.ts';
import { createKyselyReportStore } from './adapters/db/kysely-report-store.ts';
import { createKyselySettingStore } from './adapters/db/kysely-setting-store.ts';
import { createKyselyUpgradeLogPruneStore } from './adapters/db/kysely-upgrade-log-prune-store.ts';
import { createKyselyUpgradeStore } from './adapters/db/kysely-upgrade-store.ts';
import { createKyselyWebhookStore } from './adapters/db/kysely-webhook-store.ts';
import { loadServerSecret } from './adapters/db/server-secret.ts';
import { createWebhookSender } from './adapters/http/webhook-sender.ts';
import { createPrometheusMetrics } from './adapters/metrics/prometheus-metrics.ts';
import { assertStorageUsable, inspectStorage, type StorageState } from './adapters/storage/storage-check.ts';
import type { Config } from './config/config.ts';
import { applyHeapGrowth } from './config/heap-growth.ts';
import { deviceDirectoryOn, upgradeDirectoryOn } from './device-access-wiring.ts';
import { createLwm2mCoap, type Lwm2mDialect } from './dialects/lwm2m-coap/dialect.ts';
import { createOneNetHttp } from './dialects/onenet-http/dialect.ts';
import { createOneNetStudioHttp } from './dialects/onenet-studio-http/dialect.ts';
import { createQuectelMqtt } from './dialects/quectel-mqtt/dialect.ts';
import { createQuectelDownloads } from './dialects/quectel-mqtt/download-route.ts';
import { createThingsPanelMqtt } from './dialects/thingspanel-mqtt/dialect.ts';
import { createThingsPanelDownloads } from './dialects/thingspanel-mqtt/download-route.ts';
import { createThingsPanelV1Mqtt } from './dialects/thingspanel-v1-mqtt/dialect.ts';
import { explainListenError } from './listen-error.ts';
import { withDeltaJobEvents } from './live-wiring.ts';
import { createAccountService } from './modules/accounts/account-service.ts';
import { createAuditService } from './modules/audit/audit-service.ts';
import { createCatalogService } from './modules/catalog/catalog-service.ts';
import { createDeltaRunner, type DeltaRunner } from './modules/deltas/delta-runner.ts';
import { createDeltaService } from './modules/deltas/delta-service.ts';
import { createDeviceAccess } from './modules/device-access/create-device-access.ts';
import { createDownloadTokens } from './modules/device-access/download-tokens.ts';
import { createFirmwareCache } from './modules/device-access/firmware-cache.ts';
import { createDeviceService } from './modules/devices/device-service.ts';
import { createGroupService } from './modules/devices/group-service.ts';
import { createEndUserTokens } from './modules/end-users/enduser-tokens.ts';
import { createOwnerActions } from './modules/end-users/owner-actions.ts';
import { type BlobSweeper, createBlobSweeper } from './modules/firmware/blob-sweeper.ts';
import { createFirmwareService } from './modules/firmware/firmware-service.ts';
import { createLiveFeed } from './modules/live/live-feed.ts';
import { createUpgradeEventCoalescer } from './modules/live/upgrade-event-coalescer.ts';
import type { Metrics } from './modules/operations/metrics.ts';
import { type Notifier, noopNotifier } from './modules/plans/notifier.ts';
import { createPlanService } from './modules/plans/plan-service.ts';
import { createUpgradeEngine } from './modules/plans/upgrade-engine.ts';
import { createUpgradeLogRetention } from './modules/plans/upgrade-log-retention.ts';
import { createWebhookService, type SendWebhook } from './modules/webhooks/webhook-service.ts';
import { countPushes, countWebhookSends, measureDatabase, readinessOf } from './operations-wiring.ts';
import { createScheduler, type Scheduler } from './scheduler/scheduler.ts';
import type { Services } from './services.ts';
import { wireSigning } from './signing-wiring.ts';
import { type CoapTransport, startCoap } from './transports/coap/coap-carrier.ts';
import { createCursorCodec } from './transports/http/cursor.ts';
import { buildHttpApp } from './transports/http/http-app.ts';
import { createCrcMemo } from './transports/http/send-firmware.ts';
import { createBrokerAuth } from './transports/mqtt/broker-auth.ts';
import { startEmbeddedBroker } from './transports/mqtt/embedded-broker.ts';
import { connectExternalBroker } from './transports/mqtt/external-client.ts';
import type { MqttDialect, MqttLog } from './transports/mqtt/mqtt-dialect.ts';
import { createSignInFamily } from './transports/mqtt/sign-in-family.ts';
import { createPushQueue, type PushingDialect, type PushQueue } from './transports/push-queue.ts';

/** The MQTT transport once started: the embedded broker, or the client of an external one. */
export interface MqttTransport {
  kind: 'embedded' | 'external';
  /** Where devices connect (credentials left out). */
  url: string;
  /** The embedded broker's port. */
  port?: number;
  /** Devices connected now (embedded broker only). */
  connectedDevices(): number | undefined;
  /** Device messages this instance has handled (in a share group, its part of them). */
  uplinksHandled(): number;
  /** The embedded broker listens, or the client is connected to the external one. */
  connected(): boolean;
  /** Publishes as the platform, QoS 1 (benchmarks, diagnostics). */
  publish(topic: string, payload: string | Buffer): Promise<void>;
  close(): Promise<void>;
}

export interface App {
  config: Config;
  database: Database;
  services: Services;
  http: FastifyInstance;
  /** The plan scheduler's loop; started unless BuildOptions.scheduler is false. */
  scheduler: Scheduler;
  /** Runs delta jobs one at a time; started unless BuildOptions.deltaRunner is false. */
  deltaRunner: DeltaRunner;
  /** Deletes unreferenced blobs after the grace period; the scheduler runs it hourly. */
  blobSweeper: BlobSweeper;
  /**
   * Set on first start only: the admin account and its one-time password. With
   * BuildOptions.firstAdmin 'on-listen' it is created by listen(), once every listener is up.
   */
  firstAdmin: { username: string; password: string } | null;
  /** The push queue every pushing dialect shares (transports/push-queue.ts). */
  pushes: PushQueue;
  /** What GET /metrics renders (tests read it without the token). */
  metrics: Metrics;
  /**
   * Starts the MQTT transport: the embedded broker on UPDRAFT_MQTT_PORT, or a client of the
   * broker at UPDRAFT_MQTT_URL. `serve` calls it; tests that need MQTT call it.
   */
  startMqtt(): Promise<MqttTransport>;
  /** The LwM2M dialect (its registrations), carried by CoAP. */
  lwm2m: Lwm2mDialect;
  /** Starts the CoAP server on UPDRAFT_COAP_HOST:UPDRAFT_COAP_PORT (LwM2M devices). */
  startCoap(): Promise<CoapTransport>;
  /**
   * What `serve` does: binds HTTP, starts MQTT and CoAP, then creates the first admin and starts the
   * scheduler and delta runner. A listener that cannot bind throws LISTEN_FAILED (one line with
   * the setting, the port and the fix) after everything started so far is closed again.
   */
  listen(): Promise<{ httpPort: number; mqtt: MqttTransport; coap: CoapTransport }>;
  /**
   * The data and firmware folders now: writable, free space, the fault and its coded message
   * (access and statfs only, nothing written): what a readiness check reports.
   */
  storage(): StorageState[];
  close(): Promise<void>;
}

export interface BuildOptions {
  clock?: Clock;
  /** An already open database (tests share one per file). */
  database?: Database;
  /** Where the upgrade engine sends pushes; the transports' notifier once they exist. */
  notifier?: Notifier;
  /** false: build the scheduler without starting its loop (tests tick it by hand). */
  scheduler?: boolean;
  /** How webhook deliveries leave (tests record them); node:http with address checks by default. */
  sendWebhook?: SendWebhook;
  /** false: build the delta runner without starting it (tests start it by hand). */
  deltaRunner?: boolean;
  /**
   * 'at-build' (the default, for tests): the first admin is created by buildApp. 'on-listen'
   * (serve): only once listen() has every listener up, so that a start that fails to bind
   * leaves no account whose one-time password nobody saw.
   */
  firstAdmin?: 'at-build' | 'on-listen';
}

export async function buildApp(config: Config, options: BuildOptions = {}): Promise<App> {
  const clock = options.clock ?? systemClock;
  // A read-only or full data or firmware folder stops the start here, in one line naming it,
  // rather than as SQLite's raw error or as 500s once running (issue 14).
  assertStorageUsable(config);
  applyHeapGrowth(config.heapGrowthPercent);
  const database = options.database ?? openDatabase(config.database);
  try {
    await prepareSchema(database, config.migrate, () => clock.now());
    const secret = await loadServerSecret(database.db, { file: config.secretFile, value: config.secret });
    const stored = await openBlobStore(config);
    // OneNET devices cannot follow a redirect: their ranges stream from S3 through a small
    // read-ahead cache of 1 MiB blocks rather than one S3 request per range.
    const blobs = config.firmwareStore === 's3' ? withReadAhead(stored) : stored;
    // The neutral download redirects devices to presigned S3 URLs (UPDRAFT_S3_DOWNLOADS=redirect).
    const redirectToS3 = config.firmwareStore === 's3' && config.s3Downloads === 'redirect';
    // Deletes blobs no package has referred to for the grace period, and temporary copies a crash
    // left mid-upload; an hourly scheduler step on every instance, safe to run on several.
    const blobSweeper = createBlobSweeper({
      orphans: createKyselyBlobOrphanStore(database.db),
      blobs,
      clock,
      graceMs: config.blobGraceHours * 3600_000,
    });
    const metrics = createPrometheusMetrics();
    measureDatabase(metrics, database, clock);
    const catalog = createCatalogService({
      store: createKyselyCatalogStore(database.db),
      clock,
      serverSecret: secret,
    });
    const deviceStore = createKyselyDeviceStore(database.db, database.dialect, database.copy);
    const planStore = createKyselyPlanStore(database.db, database.dialect);
    // Plan, device-upgrade and delta-job changes for the console's event stream (ADR 0017);
    // a busy plan's device-upgrade events one row per half second (upgrade-event-coalescer.ts).
    const liveEvents = createKyselyLiveEventStore(database.db);
    const upgradeEvents = createUpgradeEventCoalescer({
      append: (events) => liveEvents.append(events),
      onError: (error) => http.log.error({ err: error }, 'live events could not be written'),
    });
    const upgradeStore = createKyselyUpgradeStore(database.db, database.dialect, {
      liveEvents: upgradeEvents,
    });
    // The engine tells the transports whom to contact: the push queue joins once it is built below.
    const notifiers: Notifier[] = [options.notifier ?? noopNotifier];
    const upgrades = createUpgradeEngine({
      store: upgradeStore,
      notifier: {
        async notify(batch) {
          for (const notifier of notifiers) await notifier.notify(batch);
        },
        async withdraw(batch) {
          for (const notifier of notifiers) await notifier.withdraw(batch);
        },
      },
      clock,
    });
    const firmwareStore = createKyselyFirmwareStore(database.db);
    const { signing, serverSigner, signDelta } = wireSigning({
      database,
      products: catalog,
      clock,
      signingKeyFile: config.signingKeyFile,
    });
    const firmware = createFirmwareService({
      store: firmwareStore,
      blobs,
      products: catalog,
      usage: planStore,
      clock,
      limits: {
        maxFileBytes: config.firmwareMaxFileBytes,
        maxFiles: config.firmwareMaxFiles,
        extensions: config.firmwareExtensions,
      },
    });
    const plans = createPlanService({
      plans: planStore,
      upgrades: upgradeStore,
      reports: createKyselyReportStore(database.db, database.dialect),
      settings: createKyselySettingStore(database.db),
      engine: upgrades,
      // A plan may use a package only while its signature allows (docs/signing.md).
      packages: {
        async getPackage(id) {
          const pkg = await firmware.getPackage(id);
          await signing.checkPlannable(pkg);
          return pkg;
        },
        listPackages: (filter, page) => firmware.listPackages(filter, page),
      },
      products: {
        async productShape(productId) {
          const product = await catalog.findProduct(productId);
          const modules = await catalog.listModules(productId);
          return {
            nodeType: product?.nodeType ?? 'direct',
            moduleKinds: new Map(modules.map((m) => [m.name, m.kind])),
          };
        },
      },
      clock,
      minPeriodSeconds: config.planMinPeriodSeconds,
    });
    const webhooks = createWebhookService({
      store: createKyselyWebhookStore(database.db, database.dialect),
      clock,
      send: countWebhookSends(
        options.sendWebhook ?? createWebhookSender({ allowPrivate: config.webhookAllowPrivate }),
        metrics,
      ),
      allowPrivate: config.webhookAllowPrivate,
    });
    const live = createLiveFeed({ store: liveEvents, now: () => clock.now() });
    const deltaJobStore = withDeltaJobEvents(createKyselyDeltaJobStore(database.db), liveEvents, clock);
    const deltaRunner = createDeltaRunner({
      store: deltaJobStore,
      packages: firmware,
      firmware: firmwareStore,
      blobs,
      clock,
      leaseMs: config.leaseSeconds * 1000,
      onError: (error, jobId) => http.log.error({ err: error, jobId }, 'delta job failed'),
      afterStore: signDelta,
    });
    const devices = createDeviceService({
      store: deviceStore,
      products: catalog,
      clock,
      serverSecret: secret,
      limits: { importMaxBytes: config.importMaxBytes },
    });
    const tokenStore = createKyselyDownloadTokenStore(database.db);
    const deviceAccess = createDeviceAccess({
      devices: deviceDirectoryOn({ deviceStore, devices, catalog }),
      upgrades: upgradeDirectoryOn({
        engine: upgrades,
        upgradeStore,
        planStore,
        firmware,
        firmwareStore,
        blobs,
        ...(redirectToS3 && { urlTtlSeconds: config.s3UrlTtlSeconds, clock }),
        signatures: (id) => signing.signatureOf(id),
      }),
      tokens: createDownloadTokens({
        store: tokenStore,
        clock,
        ttlMs: config.downloadTokenTtlHours * 3600_000,
      }),
      cache: createFirmwareCache(config.firmwareCacheBytes),
      clock,
    });
    const endUserStore = createKyselyEndUserStore(database.db);
    const endUsers = {
      tokens: createEndUserTokens({ store: endUserStore, devices, clock }),
      owner: createOwnerActions({
        store: endUserStore,
        plans,
        engine: upgrades,
        devices,
        packages: firmware,
        clock,
      }),
    };
    const services: Services = {
      accounts: createAccountService({
        store: createKyselyAccountStore(database.db),
        clock,
        sessionTtlMs: config.sessionTtlHours * 3600_000,
      }),
      catalog,
      firmware,
      deltas: createDeltaService({
        store: deltaJobStore,
        packages: firmware,
        slots: firmwareStore,
        signals: deltaRunner,
        clock,
      }),
      devices,
      groups: createGroupService({ store: deviceStore, products: catalog, clock }),
      plans,
      upgrades,
      webhooks,
      signing,
      serverSigner,
      deviceAccess,
      endUsers,
      audit: createAuditService({
        store: createKyselyAuditStore(database.db),
        clock,
        retentionDays: config.auditRetentionDays,
      }),
    };
    const bootstrapAdmin = () => services.accounts.bootstrapAdmin(config.adminUsername, config.adminPassword);
    const firstAdmin = options.firstAdmin === 'on-listen' ? null : await bootstrapAdmin();
    // The device dialects (ADR 0010): each is a folder in dialects/, wired here to its carrier.
    // They log through the HTTP server's logger, which is built below.
    const deviceLog: MqttLog = {
      info: (details, message) => http.log.info(details, message),
      warn: (details, message) => http.log.warn(details, message),
      error: (details, message) => http.log.error(details, message),
    };
    const download = {
      accel: config.downloadAccel,
      accelPrefix: config.downloadAccelPrefix,
      crcs: createCrcMemo(),
    };
    const oneNet = createOneNetHttp({ access: deviceAccess, clock, download });
    const oneNetStudio = createOneNetStudioHttp({
      access: deviceAccess,
      clock,
      download,
      prefixes: config.onenetStudioPrefixes,
    });
    const thingsPanelOptions = {
      access: deviceAccess,
      baseUrl() {
        if (config.publicUrl) return config.publicUrl.replace(/\/$/, '');
        const address = http.server.address();
        const port = typeof address === 'object' && address ? address.port : config.httpPort;
        const host =
          config.httpHost === '0.0.0.0' || config.httpHost === '::' ? 'localhost' : config.httpHost;
        return `http://${host}:${port}`;
      },
      log: deviceLog,
    };
    const thingsPanel = createThingsPanelMqtt(thingsPanelOptions);
    const thingsPanelV1 = createThingsPanelV1Mqtt(thingsPanelOptions);
    // ThingsPanel v0.5 and v1 devices sign in alike: one session, either generation's topics (ADR 0014).
    // Quectel devices sign in with a `qd…` client id and no username (docs/quectel.md); a
    // username with a dot is ThingsPanel's, which is asked first.
    const quectel = createQuectelMqtt({ ...thingsPanelOptions, now: () => clock.now() });
    const mqttDialects: MqttDialect[] = [
      createSignInFamily('thingspanel', [thingsPanel, thingsPanelV1]),
      quectel,
    ];
    const lwm2m = createLwm2mCoap({
      access: deviceAccess,
      clock,
      log: deviceLog,
      auth: config.lwm2mAuth,
      publicCoapUrl: config.coapPublicUrl,
      coapHost: config.coapHost,
      httpBase: thingsPanelOptions.baseUrl,
      // Several instances share only PostgreSQL; an instance delivers what another decided.
      relay: database.dialect === 'postgres',
    });
    const pushingDialects: PushingDialect[] = [thingsPanel, thingsPanelV1, quectel, lwm2m].map((d) =>
      countPushes(d, metrics),
    );
    // Updraft's own account on an external broker is the one in its URL (docs/mqtt.md).
    const brokerAccount = config.mqttUrl ? new URL(config.mqttUrl) : null;
    const brokerAuth = createBrokerAuth({
      dialects: mqttDialects,
      service: brokerAccount?.username
        ? {
            username: decodeURIComponent(brokerAccount.username),
            password: decodeURIComponent(brokerAccount.password),
          }
        : null,
    });
    let mqtt: MqttTransport | undefined;
    let coap: CoapTransport | undefined;
    const http = await buildHttpApp({
      // /broker/v1/… exists only for an external broker, which must present the token (issue 12).
      ...(config.mqttUrl &&
        config.mqttAuthToken && { brokerAuth: { auth: brokerAuth, token: config.mqttAuthToken } }),
      services,
      cursors: createCursorCodec(secret),
      logLevel: config.logLevel,
      secureCookies: config.secureCookies,
      trustProxy: config.trustProxy,
      timeouts: {
        idleMs: config.httpIdleTimeoutSeconds * 1000,
        headersMs: config.httpHeadersTimeoutSeconds * 1000,
        requestMs: config.httpRequestTimeoutSeconds * 1000,
        keepAliveMs: config.httpKeepAliveTimeoutSeconds * 1000,
      },
      loginLimits: {
        perAccount: config.loginMaxPerAccount,
        perAddress: config.loginMaxPerAddress,
        windowMs: config.loginWindowMinutes * 60_000,
      },
      // Only the neutral download redirects: OneNET, ThingsPanel and Quectel devices want Updraft's answers.
      download: { ...download, redirect: redirectToS3 },
      dialects: [
        oneNet,
        oneNetStudio,
        createThingsPanelDownloads({ access: deviceAccess, download }),
        createQuectelDownloads({ access: deviceAccess, download }),
      ],
      operations: {
        metrics,
        metricsToken: config.metricsToken,
        readiness: readinessOf({
          database,
          blobs,
          broker: () => mqtt,
          clock,
          storage: () => inspectStorage(config),
        }),
      },
      live,
    });
    // Expired download tokens go a week after expiry (until then a device is told "expired",
    // errno 12, rather than "unknown"); at most once an hour per instance, idempotent across them.
    let nextTokenSweep = 0;
    async function sweepTokens(): Promise<void> {
      const now = clock.now();
      if (now < nextTokenSweep) return;
      nextTokenSweep = now + 3600_000;
      await tokenStore.deleteExpired(now - 7 * 24 * 3600_000);
      await endUsers.tokens.sweepExpired();
    }
    // Who this instance is, the same after a restart on one host and port (no two live processes
    // share them), so that a restarted instance takes back its broker session (and the messages
    // waiting in it) and the plan leases a crash left, instead of waiting for them to expire.
    // Before the HTTP port is bound (tests that start MQTT alone), or on a port taken at random,
    // there is no such future: a random id.
    const listeningPort = () => {
      const address = http.server.address();
      return typeof address === 'object' && address && config.httpPort !== 0 ? address.port : null;
    };
    const instanceName = () => {
      const port = listeningPort();
      return port === null ? `${hostname()}-${randomUUID()}` : `${hostname()}-${port}`;
    };
    const defaultMqttClientId = () => `updraft-${instanceName()}`;
    const upgradeLogRetention = createUpgradeLogRetention({
      store: createKyselyUpgradeLogPruneStore(database.db, database.dialect),
      clock,
      retentionDays: config.upgradeLogRetentionDays,
    });
    const scheduler = createScheduler({
      owner: () => `scheduler-${instanceName()}`,
      work: plans,
      leaseMs: config.leaseSeconds * 1000,
      steps: [
        () => webhooks.deliverDue(),
        () => sweepTokens(),
        () => blobSweeper.sweepIfDue(),
        // Owners' auto-upgrade switches: manual plans' upgrades waiting on those devices.
        () => endUsers.owner.confirmAutomatically(),
        () => services.audit.purgeIfDue(),
        () => live.purgeIfDue(),
        () => upgradeLogRetention.pruneIfDue(),
      ],
      onError: (error, planId) => http.log.error({ err: error, planId }, 'scheduler step failed'),
      onPass: (lagMs, durationMs) => metrics.observeSchedulerTick(lagMs / 1000, durationMs / 1000),
    });
    const pushes = createPushQueue({
      access: deviceAccess,
      dialects: pushingDialects,
      pushRate: config.mqttPushRate,
      log: http.log,
    });
    notifiers.push(pushes.notifier);
    metrics.setSources({
      deviceConnections: () => ({ mqtt: mqtt?.connectedDevices() }),
      eventStreamClients: () => live.listeners(),
      deviceMessages: () => ({ mqtt: mqtt?.uplinksHandled() ?? 0 }),
    });

    const startBackground = () => {
      if (options.scheduler !== false) scheduler.start();
      if (options.deltaRunner !== false) deltaRunner.start();
    };
    if (options.firstAdmin !== 'on-listen') startBackground();
    const app: App = {
      config,
      database,
      services,
      http,
      scheduler,
      deltaRunner,
      blobSweeper,
      firstAdmin,
      pushes,
      metrics,
      lwm2m,
      async startCoap() {
        if (coap) return coap;
        coap = await startCoap({
          host: config.coapHost,
          port: config.coapPort,
          dialects: [lwm2m],
          log: deviceLog,
        });
        pushes.start();
        return coap;
      },
      async startMqtt() {
        if (mqtt) return mqtt;
        mqtt = config.mqttUrl
          ? await connectExternalBroker({
              url: config.mqttUrl,
              shareGroup: config.mqttShareGroup,
              clientId: config.mqttClientId ?? defaultMqttClientId(),
              sessionExpiry: config.mqttSessionExpiry,
              keepSession: config.mqttClientId !== null || listeningPort() !== null,
              dialects: mqttDialects,
              pushes,
              auth: brokerAuth,
              log: http.log,
            })
          : await startEmbeddedBroker({
              host: config.mqttHost,
              port: config.mqttPort,
              connectTimeoutMs: config.mqttConnectTimeoutSeconds * 1000,
              tls:
                config.mqttTlsCert && config.mqttTlsKey
                  ? { cert: config.mqttTlsCert, key: config.mqttTlsKey }
                  : null,
              access: deviceAccess,
              dialects: mqttDialects,
              pushes,
              log: http.log,
            });
        return mqtt;
      },
      async listen() {
        const { httpHost: host, httpPort: port } = config;
        try {
          await http.listen({ host, port });
        } catch (error) {
          throw explainListenError(error, {
            portSetting: 'UPDRAFT_HTTP_PORT',
            hostSetting: 'UPDRAFT_HTTP_HOST',
            host,
            port,
          });
        }
        let transport: MqttTransport;
        try {
          transport = await app.startMqtt();
        } catch (error) {
          throw explainListenError(error, {
            portSetting: 'UPDRAFT_MQTT_PORT',
            hostSetting: 'UPDRAFT_MQTT_HOST',
            host: config.mqttHost,
            port: config.mqttPort,
            alternative: `set UPDRAFT_MQTT_URL=mqtt://localhost:${config.mqttPort} to join the broker already there`,
          });
        }
        let coapTransport: CoapTransport;
        try {
          coapTransport = await app.startCoap();
        } catch (error) {
          throw explainListenError(error, {
            portSetting: 'UPDRAFT_COAP_PORT',
            hostSetting: 'UPDRAFT_COAP_HOST',
            host: config.coapHost,
            port: config.coapPort,
          });
        }
        app.firstAdmin ??= await bootstrapAdmin();
        startBackground();
        const address = http.server.address();
        return {
          httpPort: typeof address === 'object' && address ? address.port : port,
          mqtt: transport,
          coap: coapTransport,
        };
      },
      storage: () => inspectStorage(config),
      async close() {
        await coap?.close();
        await mqtt?.close();
        await pushes.stop();
        await scheduler.stop();
        live.close();
        await upgradeEvents.close();
        await deltaRunner.stop();
        await http.close();
        if (!options.database) await database.close();
      },
    };
    return app;
  } catch (error) {
    if (!options.database) await database.close();
    throw error;
  }
}

// The composition root: the one place that builds adapters, modules and transports and wires
// them together. Nothing else imports both modules and adapters.
import type { FastifyInstance } from 'fastify';
import { createFsBlobStore } from './adapters/blob/fs-blob-store.ts';
import { type Clock, systemClock } from './adapters/clock/clock.ts';
import { type Database, openDatabase, prepareSchema } from './adapters/db/database.ts';
import { createKyselyAccountStore } from './adapters/db/kysely-account-store.ts';
import { createKyselyCatalogStore } from './adapters/db/kysely-catalog-store.ts';
import { createKyselyDeltaJobStore } from './adapters/db/kysely-delta-job-store.ts';
import { createKyselyDeviceStore } from './adapters/db/kysely-device-store.ts';
import { createKyselyDownloadTokenStore } from './adapters/db/kysely-download-token-store.ts';
import { createKyselyFirmwareStore } from './adapters/db/kysely-firmware-store.ts';
import { createKyselyPlanStore } from './adapters/db/kysely-plan-store.ts';
import { createKyselyWebhookStore } from './adapters/db/kysely-webhook-store.ts';
import { loadServerSecret } from './adapters/db/server-secret.ts';
import type { Config } from './config/config.ts';
import { createAccountService } from './modules/accounts/account-service.ts';
import { createCatalogService } from './modules/catalog/catalog-service.ts';
import { createDeltaRunner, type DeltaRunner } from './modules/deltas/delta-runner.ts';
import { createDeltaService } from './modules/deltas/delta-service.ts';
import { createDeviceAccessService } from './modules/device-access/device-access-service.ts';
import { createDownloadTokens } from './modules/device-access/download-tokens.ts';
import { createFirmwareCache } from './modules/device-access/firmware-cache.ts';
import { createDeviceService } from './modules/devices/device-service.ts';
import { createGroupService } from './modules/devices/group-service.ts';
import { createFirmwareService } from './modules/firmware/firmware-service.ts';
import { type Notifier, noopNotifier } from './modules/plans/notifier.ts';
import { createPlanService } from './modules/plans/plan-service.ts';
import { createUpgradeEngine } from './modules/plans/upgrade-engine.ts';
import { createWebhookService, type SendWebhook } from './modules/webhooks/webhook-service.ts';
import { createScheduler, type Scheduler } from './scheduler/scheduler.ts';
import type { Services } from './services.ts';
import { createCursorCodec } from './transports/http/cursor.ts';
import { buildHttpApp } from './transports/http/http-app.ts';
import { createBrokerAuth } from './transports/mqtt/broker-auth.ts';
import { startEmbeddedBroker } from './transports/mqtt/embedded-broker.ts';
import { connectExternalBroker } from './transports/mqtt/external-client.ts';
import { createMqttOta, type MqttOta } from './transports/mqtt/mqtt-ota.ts';

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
  /** Publishes as the platform, QoS 1 (benchmarks, diagnostics). */
  publish(topic: string, payload: string): Promise<void>;
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
  /** Set on first start only: the admin account and its one-time password. */
  firstAdmin: { username: string; password: string } | null;
  /** The MQTT OTA service (ThingsPanel topics), whichever broker carries it. */
  mqttOta: MqttOta;
  /**
   * Starts the MQTT transport: the embedded broker on UPDRAFT_MQTT_PORT, or a client of the
   * broker at UPDRAFT_MQTT_URL. `serve` calls it; tests that need MQTT call it.
   */
  startMqtt(): Promise<MqttTransport>;
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
  /** How webhook deliveries leave (tests record them); fetch by default. */
  sendWebhook?: SendWebhook;
  /** false: build the delta runner without starting it (tests start it by hand). */
  deltaRunner?: boolean;
}

export async function buildApp(config: Config, options: BuildOptions = {}): Promise<App> {
  const clock = options.clock ?? systemClock;
  const database = options.database ?? openDatabase(config.database);
  try {
    await prepareSchema(database, config.migrate, () => clock.now());
    const secret = await loadServerSecret(database.db);
    const blobs = createFsBlobStore(config.firmwareDir);
    // Temporary copies left by a crash mid-upload; the firmware folder belongs to this server.
    await blobs.sweepTemp();
    const catalog = createCatalogService({
      store: createKyselyCatalogStore(database.db),
      clock,
      serverSecret: secret,
    });
    const deviceStore = createKyselyDeviceStore(database.db);
    const planStore = createKyselyPlanStore(database.db, database.dialect);
    // The engine tells every transport whom to contact; MQTT joins once it is built below.
    const notifiers: Notifier[] = [options.notifier ?? noopNotifier];
    const upgrades = createUpgradeEngine({
      store: planStore,
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
    const plans = createPlanService({ store: planStore, engine: upgrades, packages: firmware, clock });
    const webhooks = createWebhookService({
      store: createKyselyWebhookStore(database.db, database.dialect),
      clock,
      ...(options.sendWebhook && { send: options.sendWebhook }),
    });
    const deltaJobStore = createKyselyDeltaJobStore(database.db);
    const deltaRunner = createDeltaRunner({
      store: deltaJobStore,
      packages: firmware,
      firmware: firmwareStore,
      blobs,
      clock,
      onError: (error, jobId) => http.log.error({ err: error, jobId }, 'delta job failed'),
    });
    const devices = createDeviceService({
      store: deviceStore,
      products: catalog,
      clock,
      serverSecret: secret,
      limits: { importMaxBytes: config.importMaxBytes },
    });
    const tokenStore = createKyselyDownloadTokenStore(database.db);
    const deviceAccess = createDeviceAccessService({
      devices: {
        get: (id) => deviceStore.get(id),
        getMany: (ids) => deviceStore.getMany(ids),
        moduleVersionsOf: (ids, module) => deviceStore.moduleVersionsOf(ids, module),
        findByProductKey: (key, name) => deviceStore.findByProductKey(key, name),
        findByName: (productId, name) => deviceStore.findByName(productId, name),
        secretOf: (id) => devices.secretOf({ id }),
        verifySecret: (productKey, name, secret) => devices.authenticate(productKey, name, secret),
        async subDevicesOf(gatewayId) {
          const found = [];
          for (let after: number | undefined; ; ) {
            const page = await deviceStore.list({ gatewayId }, { after, limit: 1000 });
            found.push(...page.items);
            if (page.next === null) return found;
            after = page.next;
          }
        },
        recordSeen: (entries) => devices.recordSeen(entries),
        async productAccess(product) {
          const found =
            (await catalog.findProductByKey(product)) ??
            (/^\d{1,15}$/.test(product) ? await catalog.findProduct(Number(product)) : undefined);
          const accessKey = found?.productKeyAuth ? await catalog.accessKeyOf(found.id) : undefined;
          return found && accessKey ? { productId: found.id, accessKey } : undefined;
        },
        versionOf: async (id, module) =>
          (await deviceStore.versionsOf(id)).find((v) => v.module === module)?.version,
        reportVersion: (id, module, version) => devices.reportVersion(id, module, version),
        async productCodes(productId) {
          const product = await catalog.findProduct(productId);
          return product && { manufacturer: product.manufacturer, model: product.model };
        },
      },
      upgrades: {
        report: (inputs) => upgrades.reportDeviceEvents(inputs),
        getUpgrade: (id) => planStore.getUpgrade(id).then((u) => u && { ...u, status: u.state.status }),
        getUpgrades: async (ids) =>
          (await planStore.getUpgrades(ids)).map((u) => ({ ...u, status: u.state.status })),
        activeUpgrades: async (deviceId) =>
          (await planStore.activeUpgradesOfDevice(deviceId)).map((u) => ({ ...u, status: u.state.status })),
        async activeUpgrade(deviceId, module) {
          const found = (await planStore.activeUpgradesOfDevice(deviceId)).find((u) => u.module === module);
          return found && { ...found, status: found.state.status };
        },
        getPlan: (id) => planStore.getPlan(id),
        getPackage: (id) => firmware.getPackage(id),
        async deltaFor(productId, module, sourceVersion, version) {
          const page = await firmwareStore.listPackages(
            { productId, module, version, sourceVersion, type: 'delta' },
            { limit: 1 },
          );
          return page.items[0];
        },
        openBlob: (key, range) => blobs.open(key, range),
      },
      tokens: createDownloadTokens({
        store: tokenStore,
        clock,
        ttlMs: config.downloadTokenTtlHours * 3600_000,
      }),
      cache: createFirmwareCache(config.firmwareCacheBytes),
      clock,
    });
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
      deviceAccess,
    };
    const firstAdmin = await services.accounts.bootstrapAdmin(config.adminUsername, config.adminPassword);
    // Updraft's own account on an external broker is the one in its URL (docs/mqtt.md).
    const brokerAccount = config.mqttUrl ? new URL(config.mqttUrl) : null;
    const brokerAuth = createBrokerAuth({
      access: deviceAccess,
      service: brokerAccount?.username
        ? {
            username: decodeURIComponent(brokerAccount.username),
            password: decodeURIComponent(brokerAccount.password),
          }
        : null,
    });
    const http = await buildHttpApp({
      brokerAuth: { auth: brokerAuth, token: config.mqttAuthToken },
      services,
      cursors: createCursorCodec(secret),
      logLevel: config.logLevel,
      secureCookies: config.secureCookies,
      download: { accel: config.downloadAccel, accelPrefix: config.downloadAccelPrefix },
    });
    // Expired download tokens go a week after expiry (until then a device is told "expired",
    // errno 12, rather than "unknown"); at most once an hour per instance, idempotent across them.
    let nextTokenSweep = 0;
    async function sweepTokens(): Promise<void> {
      const now = clock.now();
      if (now < nextTokenSweep) return;
      nextTokenSweep = now + 3600_000;
      await tokenStore.deleteExpired(now - 7 * 24 * 3600_000);
    }
    const scheduler = createScheduler({
      work: plans,
      steps: [() => webhooks.deliverDue(), () => sweepTokens()],
      onError: (error, planId) => http.log.error({ err: error, planId }, 'scheduler step failed'),
    });
    // MQTT: usernames are `{productKey}.{deviceName}`; products are few and change rarely.
    const productCache = new Map<
      number,
      { productKey: string; signMethod: 'md5' | 'sha256'; until: number }
    >();
    async function productOf(id: number) {
      const known = productCache.get(id);
      if (known && known.until > clock.now()) return known;
      const product = await catalog.getProduct(id);
      const entry = {
        productKey: product.productKey,
        signMethod: product.signMethod,
        until: clock.now() + 60_000,
      };
      productCache.set(id, entry);
      return entry;
    }
    const mqttOta = createMqttOta({
      access: deviceAccess,
      usernameOf: async (device) => `${(await productOf(device.productId)).productKey}.${device.name}`,
      signMethodOf: async (productId) => (await productOf(productId)).signMethod,
      baseUrl() {
        if (config.publicUrl) return config.publicUrl.replace(/\/$/, '');
        const address = http.server.address();
        const port = typeof address === 'object' && address ? address.port : config.httpPort;
        const host =
          config.httpHost === '0.0.0.0' || config.httpHost === '::' ? 'localhost' : config.httpHost;
        return `http://${host}:${port}`;
      },
      pushRate: config.mqttPushRate,
      log: http.log,
    });
    notifiers.push(mqttOta.notifier);
    let mqtt: MqttTransport | undefined;

    if (options.scheduler !== false) scheduler.start();
    if (options.deltaRunner !== false) deltaRunner.start();
    return {
      config,
      database,
      services,
      http,
      scheduler,
      deltaRunner,
      firstAdmin,
      mqttOta,
      async startMqtt() {
        if (mqtt) return mqtt;
        mqtt = config.mqttUrl
          ? await connectExternalBroker({
              url: config.mqttUrl,
              shareGroup: config.mqttShareGroup,
              access: deviceAccess,
              ota: mqttOta,
              auth: brokerAuth,
              log: http.log,
            })
          : await startEmbeddedBroker({
              host: config.mqttHost,
              port: config.mqttPort,
              tls:
                config.mqttTlsCert && config.mqttTlsKey
                  ? { cert: config.mqttTlsCert, key: config.mqttTlsKey }
                  : null,
              access: deviceAccess,
              ota: mqttOta,
              log: http.log,
            });
        return mqtt;
      },
      async close() {
        await mqtt?.close();
        await mqttOta.stop();
        await scheduler.stop();
        await deltaRunner.stop();
        await http.close();
        if (!options.database) await database.close();
      },
    };
  } catch (error) {
    if (!options.database) await database.close();
    throw error;
  }
}

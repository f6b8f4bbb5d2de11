// The crash campaign (issue 14): `updraft serve` (one instance with its embedded broker, or two or
// three on PostgreSQL with this machine's Mosquitto, sharing one firmware folder or, with `s3`, a
// bucket on a local S3 server) runs a plan over N SDK
// devices (devices.ts, a process that is never killed) while the campaign kills an instance with
// SIGKILL K times and starts it again. The kills fall at seeded random points of the rollout
// (after a seeded share of the devices ended, so that each hits it under way, whatever the speed
// of the machine). Then verdict.ts holds the database against what the devices know, and the
// concurrency cap is sampled every 25 ms all along (monitor.ts).
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEmptyPostgresDatabase } from '../../packages/server/src/test-support/test-database.ts';
import {
  startTestS3Server,
  type TestS3Server,
} from '../../packages/server/src/test-support/test-s3-server.ts';
import { startBalancer } from './balancer.ts';
import {
  createInstance,
  createManagement,
  freePort,
  type Instance,
  random,
  seedProduct,
  sleep,
} from './instances.ts';
import { killAtSeededPoints, takeoverTimes } from './kills.ts';
import { type Monitor, openMonitor, sampleCap } from './monitor.ts';
import { type DeviceTruth, judge } from './verdict.ts';

export interface CampaignOptions {
  devices: number;
  kills: number;
  db: 'sqlite' | 'postgres';
  /** 1 (embedded broker), or 2 or 3 on PostgreSQL with an external broker. */
  instances: 1 | 2 | 3;
  /** Firmware on a local S3 server (test-s3-server.ts) instead of a shared folder. */
  s3?: boolean;
  seed: number;
  kib: number;
  /** Give up after this many seconds. */
  timeoutSeconds: number;
  /**
   * The plan's push period (default 60 s, the least a plan may take in production): how soon a
   * push lost to a crash after its commit comes again. Below 60 s the instances are started with
   * UPDRAFT_PLAN_MIN_PERIOD_SECONDS lowered to match, as tests may. The upgrade timeout stays 60 s:
   * the campaign's devices never go silent, so it has nothing to heal.
   */
  pushPeriodSeconds?: number;
  /**
   * With several instances: the last kill is a takeover kill (kills.ts): the instance holding the
   * plan's lease, killed while it holds it and not started again; the result measures how long
   * until another instance takes the lease over, the rollout moves and the plan completes.
   */
  takeover?: boolean;
  /** UPDRAFT_LEASE_SECONDS of the instances (default theirs, 60). */
  leaseSeconds?: number;
  /**
   * UPDRAFT_MQTT_SESSION_EXPIRY of the instances on the external broker (default theirs, 3600): a
   * killed instance's session keeps taking its share of the devices' messages until it expires.
   */
  sessionExpirySeconds?: number;
  log(line: string): void;
}

export interface CampaignResult {
  devices: number;
  kills: number;
  wrong: number;
  stuck: number;
  duplicated: number;
  lost: number;
  capExceeded: number;
  peak: number;
  cap: number;
  countersMatch: boolean;
  reasons: Record<string, number>;
  /** With `s3`: firmware reads from the bucket (ThingsPanel downloads pass each instance's cache). */
  s3Reads?: number;
  seconds: number;
  /** With `takeover`: the times from the kill (undefined: no other instance took the lease). */
  takeover?: { takeoverSeconds: number; movedSeconds?: number; completeSeconds?: number };
  details: string[];
}

/** The line `npm run chaos` ends with. */
export function resultLine(r: CampaignResult): string {
  const t = r.takeover;
  const times = t
    ? ` takeover_s=${t.takeoverSeconds.toFixed(1)} moved_s=${t.movedSeconds?.toFixed(1) ?? '-'} complete_s=${t.completeSeconds?.toFixed(1) ?? '-'}`
    : '';
  return `RESULT chaos devices=${r.devices} kills=${r.kills} wrong=${r.wrong} stuck=${r.stuck} duplicated=${r.duplicated} cap_exceeded=${r.capExceeded} lost=${r.lost} seconds=${r.seconds.toFixed(0)}${times}`;
}

const adminPassword = 'Chaos-campaign-9-pass';
const targetVersion = '2.0';

/** The device process, and its answers over IPC; a failure to start fails the campaign. */
function startDevices(args: string[]) {
  const child = fork(join(import.meta.dirname, 'devices.ts'), args, {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let failure = '';
  child.on('message', (m: Record<string, unknown>) => {
    if (m['type'] === 'error') failure = String(m['message']);
  });
  const reply = (type: string, request?: object) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const onMessage = (message: Record<string, unknown>) => {
        if (message['type'] !== type) return;
        done();
        resolve(message);
      };
      const onExit = (code: number | null, signal: string | null) => {
        done();
        reject(new Error(`the device process exited (${signal ?? code}): ${failure || 'see its output'}`));
      };
      const done = () => {
        child.off('message', onMessage);
        child.off('exit', onExit);
      };
      child.on('message', onMessage);
      child.on('exit', onExit);
      if (request) child.send(request);
    });
  return {
    child,
    ready: () => reply('ready'),
    truth: async () => (await reply('truth', { type: 'truth' }))['truth'] as DeviceTruth[],
  };
}

export async function runCampaign(options: CampaignOptions): Promise<CampaignResult> {
  const { log } = options;
  if (options.instances > 1 && options.db !== 'postgres') {
    throw new Error('several instances share one PostgreSQL database: use --db postgres');
  }
  const pushPeriodSeconds = options.pushPeriodSeconds ?? 60;
  const began = Date.now();
  const deadline = began + options.timeoutSeconds * 1000;
  const next = random(options.seed);
  const dir = mkdtempSync(join(tmpdir(), 'updraft-chaos-'));
  const stateRoot = mkdtempSync(join(process.platform === 'linux' ? '/dev/shm' : tmpdir(), 'updraft-chaos-'));
  const postgres = options.db === 'postgres' ? await createEmptyPostgresDatabase() : undefined;
  const secret = randomBytes(32).toString('base64');
  const mqttPort = await freePort();
  const group = `chaos${randomBytes(4).toString('hex')}`;
  const external = options.instances > 1;
  const s3: TestS3Server | undefined = options.s3 ? await startTestS3Server('chaos') : undefined;
  const brokerUrl = process.env['UPDRAFT_TEST_MQTT_URL'] ?? 'mqtt://127.0.0.1:1883';
  const servers: Instance[] = [];
  const ports: number[] = [];
  for (let i = 0; i < options.instances; i++) ports.push(await freePort());
  const bases = ports.map((port) => `http://127.0.0.1:${port}`);
  // Several instances sit behind a balancer, as in production: a download link an instance gave
  // stays good while that instance is down (for good, after a takeover kill).
  const balancer = external ? await startBalancer(ports) : undefined;
  for (const [i, httpPort] of ports.entries()) {
    const env: Record<string, string> = {
      UPDRAFT_DATA_DIR: join(dir, `data-${i}`),
      // Instances share their firmware files: a shared folder, or S3 as in production.
      UPDRAFT_FIRMWARE_DIR: join(dir, 'firmware'),
      ...(s3 && {
        UPDRAFT_FIRMWARE_STORE: 's3',
        UPDRAFT_S3_ENDPOINT: s3.endpoint,
        UPDRAFT_S3_REGION: s3.region,
        UPDRAFT_S3_BUCKET: s3.bucket,
        UPDRAFT_S3_PATH_STYLE: 'true',
        AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
      }),
      UPDRAFT_HTTP_HOST: '127.0.0.1',
      UPDRAFT_HTTP_PORT: String(httpPort),
      ...(balancer && { UPDRAFT_PUBLIC_URL: balancer.url }),
      ...(options.leaseSeconds && { UPDRAFT_LEASE_SECONDS: String(options.leaseSeconds) }),
      UPDRAFT_SECRET: secret,
      UPDRAFT_ADMIN_PASSWORD: adminPassword,
      UPDRAFT_LOG_LEVEL: 'warn',
      UPDRAFT_COAP_PORT: '0',
      ...(pushPeriodSeconds < 60 && { UPDRAFT_PLAN_MIN_PERIOD_SECONDS: String(pushPeriodSeconds) }),
      ...(postgres && { UPDRAFT_DATABASE_URL: postgres.url }),
      ...(external
        ? {
            UPDRAFT_MQTT_URL: brokerUrl,
            UPDRAFT_MQTT_SHARE_GROUP: group,
            UPDRAFT_MQTT_CLIENT_ID: `${group}-${i}`,
            UPDRAFT_MQTT_AUTH_TOKEN: secret,
            ...(options.sessionExpirySeconds !== undefined && {
              UPDRAFT_MQTT_SESSION_EXPIRY: String(options.sessionExpirySeconds),
            }),
          }
        : { UPDRAFT_MQTT_HOST: '127.0.0.1', UPDRAFT_MQTT_PORT: String(mqttPort) }),
    };
    servers.push(createInstance(`instance ${i}`, env, join(dir, `server-${i}.log`)));
  }
  const mqttUrl = external ? brokerUrl : `mqtt://127.0.0.1:${mqttPort}`;
  let devices: ReturnType<typeof startDevices> | undefined;
  let monitor: Monitor | undefined;
  try {
    // Instances one after the other: a concurrent first start is tested on its own.
    for (const server of servers) await server.start();
    const api = createManagement(bases, adminPassword);
    await api.signIn();
    const { productId, packageId, logins } = await seedProduct(api, {
      name: 'chaos',
      prefix: 'c-',
      devices: options.devices,
      version: targetVersion,
      bytes: options.kib * 1024,
    });
    const cap = Math.max(10, Math.floor(options.devices / 4));
    const plan = await api.json('POST', '/plans', {
      name: 'chaos',
      productId,
      firmwarePackageId: packageId,
      target: { kind: 'all' },
      concurrency: cap,
      upgradeTimeoutSeconds: 60,
      pushPeriodSeconds,
    });

    const loginsFile = join(dir, 'logins.json');
    writeFileSync(loginsFile, JSON.stringify(logins));
    devices = startDevices([loginsFile, mqttUrl, stateRoot, balancer?.url ?? bases[0]!]);
    await devices.ready();
    log(
      `${options.devices} devices connected; plan ${plan.id}, cap ${cap}; instances on ${ports.join(', ')}${balancer ? ` behind ${balancer.url}` : ''}; starting`,
    );

    monitor = await openMonitor(options.db, postgres?.url ?? join(dir, 'data-0', 'updraft.db'), plan.id);
    const sampler = sampleCap(monitor, cap);
    await api.json('POST', `/plans/${plan.id}/publish`, {});
    const takeover = await killAtSeededPoints(options, servers, ports, monitor, next, deadline);

    let reported = Date.now();
    while ((await monitor.live()) > 0 && Date.now() < deadline) {
      await sleep(250);
      if (Date.now() - reported < 10_000) continue;
      reported = Date.now();
      log(`${((Date.now() - began) / 1000).toFixed(0)} s: ${await monitor.statuses()}`);
    }
    const { peak, exceeded } = await sampler.stop();
    const took = takeover && (await takeoverTimes(takeover, monitor, deadline, log));

    const truth = await devices.truth();
    const counts = (await api.json('GET', `/plans/${plan.id}`)).counts as Record<string, number>;
    const verdict = judge(truth, await monitor.rows(), counts, targetVersion);
    log(`failure reasons ${JSON.stringify(verdict.reasons)}`);
    return {
      devices: options.devices,
      kills: options.kills,
      ...verdict,
      capExceeded: exceeded,
      ...(s3 && { s3Reads: s3.requests.filter((r) => r === 'GET get-object').length }),
      peak,
      cap,
      seconds: (Date.now() - began) / 1000,
      ...(took && { takeover: took }),
    };
  } finally {
    if (devices && devices.child.exitCode === null) devices.child.kill('SIGKILL');
    await monitor?.close().catch(() => {});
    // The balancer first: its open connections would hold up the instances' graceful stops.
    await balancer?.close();
    for (const server of servers) await server.stop().catch(() => {});
    if (process.env['UPDRAFT_CHAOS_KEEP']) log(`kept ${dir}${postgres ? ` and ${postgres.url}` : ''}`);
    else {
      await postgres?.dispose().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    }
    rmSync(stateRoot, { recursive: true, force: true });
    await s3?.close().catch(() => {});
  }
}

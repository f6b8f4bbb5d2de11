// `updraft simulate`: a fleet of simulated devices on the SDK (docs/simulator.md). It imports the
// devices into a product through the management API, optionally publishes the plan, runs every
// device with its behaviour until each has an outcome, and prints what happened.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { isUpdraftError, UpdraftError } from '@updraft/core';
import { isSdkError } from '@updraft/sdk';
import {
  assignBehaviours,
  type Behaviour,
  type BehaviourSettings,
  defaultSettings,
  type Mix,
  parseBehaviourFile,
  parseMix,
} from '../simulator/behaviours.ts';
import type { LinkCounters } from '../simulator/link-faults.ts';
import {
  createManagementClient,
  type ImportedDevice,
  type ManagementAuth,
  type ManagementClient,
  type PlanView,
} from '../simulator/management-client.ts';
import { formatSummary, progressLine, type Summary, summarize } from '../simulator/progress-display.ts';
import { runSimulatedDevice, type Subject, settledStates } from '../simulator/simulated-device.ts';

const usage = `usage: updraft simulate --server URL (--plan ID [--start] | --product ID) [options]
  --api-key KEY            an operator's API key (or UPDRAFT_API_KEY), or
  --user NAME --password P a console user's password (or UPDRAFT_PASSWORD)
  --devices N              simulated devices (default 10)
  --transport http|mqtt    default http
  --mqtt URL               the broker (default mqtt://<server host>:1883)
  --gateways G             the product is a sub-device product: N sub-devices over G gateways,
  --gateway-product ID     imported into this gateway product
  --mix b=w,...            behaviour weights (default succeed=100): succeed, fail-download,
                           fail-check, fail-write, slow, drop, offline, reject, low-battery
  --behaviours FILE        JSON {"mix": {...}} or {"devices": [...]}, and settings
  --module M --version V   what the devices run (default the plan's module and source version, 1.0)
  --poll-ms MS             HTTP check and confirmation period (default 1000)
  --timeout S              give up after S seconds (default 300)
  --seed N --prefix P      spread of behaviours; device name prefix (default sim-<time>)
  --state-dir DIR          keep the devices' state folders (default a temporary folder)
  --json                   print the summary as JSON only
`;

function positiveInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < 1) {
    throw new UpdraftError('VALIDATION_FAILED', `--${name} is a whole number ≥ 1, not ${value}`);
  }
  return Number(value);
}

interface Fleet {
  /** One entry per SDK session: a device, or a gateway with sub-devices. */
  sessions: { device: ImportedDevice; productKey: string; self?: Subject; subDevices: Subject[] }[];
  subjects: Subject[];
}

async function importFleet(
  client: ManagementClient,
  productId: number,
  count: number,
  kinds: Behaviour[],
  opts: { prefix: string; module: string; version: string; gateways?: number; gatewayProduct?: number },
): Promise<Fleet> {
  const product = await client.getProduct(productId);
  const subject = (d: ImportedDevice, productKey: string, behaviour: Behaviour): Subject => ({
    username: `${productKey}.${d.name}`,
    deviceId: d.id,
    behaviour,
    state: behaviour === 'offline' ? 'offline' : 'waiting',
  });
  const versions = { [opts.module]: opts.version };
  if (opts.gateways === undefined) {
    if (product.nodeType === 'subdevice') {
      throw new UpdraftError(
        'VALIDATION_FAILED',
        'a sub-device product needs --gateways and --gateway-product',
      );
    }
    const devices = await client.importDevices(
      productId,
      Array.from({ length: count }, (_, i) => ({ name: `${opts.prefix}-${i}`, versions })),
    );
    const sessions = devices.map((device, i) => ({
      device,
      productKey: product.productKey,
      self: subject(device, product.productKey, kinds[i]!),
      subDevices: [],
    }));
    return { sessions, subjects: sessions.map((s) => s.self) };
  }
  if (product.nodeType !== 'subdevice' || opts.gatewayProduct === undefined) {
    throw new UpdraftError(
      'VALIDATION_FAILED',
      '--gateways needs a sub-device product (--product or the plan) and --gateway-product',
    );
  }
  const gatewayProduct = await client.getProduct(opts.gatewayProduct);
  const gateways = await client.importDevices(
    gatewayProduct.id,
    Array.from({ length: opts.gateways }, (_, g) => ({ name: `${opts.prefix}-gw-${g}` })),
  );
  const subs = await client.importDevices(
    productId,
    Array.from({ length: count }, (_, i) => ({
      name: `${opts.prefix}-${i}`,
      gatewayId: gateways[i % gateways.length]!.id,
      versions,
    })),
  );
  const sessions = gateways.map((device, g) => ({
    device,
    productKey: gatewayProduct.productKey,
    subDevices: subs
      .map((d, i) => ({ d, i }))
      .filter(({ i }) => i % gateways.length === g)
      .map(({ d, i }) => subject(d, product.productKey, kinds[i]!)),
  }));
  return { sessions, subjects: sessions.flatMap((s) => s.subDevices) };
}

/** Waits (a few seconds at most) for the plan's counts to take in the last reports. */
async function settlePlan(client: ManagementClient, planId: number, summary: Summary): Promise<PlanView> {
  const failed =
    summary.devices - summary.outcomes.success - summary.outcomes.deferred - summary.outcomes.unfinished;
  const until = Date.now() + 10_000;
  for (;;) {
    const plan = await client.getPlan(planId);
    const done = plan.counts['success'] === summary.outcomes.success && plan.counts['failure'] === failed;
    if (done || Date.now() > until) return plan;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const parse = (args: string[]) =>
  parseArgs({
    args,
    options: {
      server: { type: 'string' },
      'api-key': { type: 'string' },
      user: { type: 'string' },
      password: { type: 'string' },
      plan: { type: 'string' },
      start: { type: 'boolean' },
      product: { type: 'string' },
      devices: { type: 'string' },
      transport: { type: 'string' },
      mqtt: { type: 'string' },
      gateways: { type: 'string' },
      'gateway-product': { type: 'string' },
      mix: { type: 'string' },
      behaviours: { type: 'string' },
      module: { type: 'string' },
      version: { type: 'string' },
      'poll-ms': { type: 'string' },
      timeout: { type: 'string' },
      seed: { type: 'string' },
      prefix: { type: 'string' },
      'state-dir': { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });

export async function run(argv: string[]): Promise<number> {
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse(argv).values;
  } catch (error) {
    process.stderr.write(`updraft: ${(error as Error).message}\n${usage}`);
    return 2;
  }
  if (values.help || !values.server || (!values.plan && !values.product)) {
    process.stderr.write(usage);
    return values.help ? 0 : 2;
  }
  const json = values.json ?? false;
  let stateRoot: string | undefined;
  let ownStateRoot = false;
  try {
    const transport = values.transport ?? 'http';
    if (transport !== 'http' && transport !== 'mqtt') {
      throw new UpdraftError('VALIDATION_FAILED', `--transport is http or mqtt, not ${transport}`);
    }
    const apiKey = values['api-key'] ?? process.env['UPDRAFT_API_KEY'];
    const password = values.password ?? process.env['UPDRAFT_PASSWORD'];
    const auth: ManagementAuth | undefined = apiKey
      ? { apiKey }
      : values.user && password
        ? { username: values.user, password }
        : undefined;
    if (!auth) throw new UpdraftError('VALIDATION_FAILED', 'give --api-key, or --user and --password');
    const count = positiveInt('devices', values.devices, 10);
    const pollMs = positiveInt('poll-ms', values['poll-ms'], 1000);
    const timeoutMs = positiveInt('timeout', values.timeout, 300) * 1000;
    const seed = positiveInt('seed', values.seed, 1);
    let mix: Mix = values.mix ? parseMix(values.mix) : { succeed: 100 };
    let kinds: Behaviour[] | undefined;
    let settings: BehaviourSettings = defaultSettings;
    if (values.behaviours) {
      const file = parseBehaviourFile(await readFile(values.behaviours, 'utf8'));
      settings = { ...defaultSettings, ...file.settings };
      if (file.mix) mix = file.mix;
      if (file.devices) {
        if (file.devices.length !== count) {
          throw new UpdraftError(
            'VALIDATION_FAILED',
            `the behaviours file lists ${file.devices.length} devices, --devices is ${count}`,
          );
        }
        kinds = file.devices;
      }
    }
    kinds ??= assignBehaviours(mix, count, seed);

    const client = await createManagementClient(values.server, auth);
    const planId = values.plan !== undefined ? positiveInt('plan', values.plan, 0) : undefined;
    let plan = planId !== undefined ? await client.getPlan(planId) : undefined;
    const productId = plan?.productId ?? positiveInt('product', values.product, 0);
    const module = values.module ?? plan?.module ?? 'default';
    const version = values.version ?? plan?.sourceVersion ?? '1.0';
    const fleet = await importFleet(client, productId, count, kinds, {
      prefix: values.prefix ?? `sim-${Date.now().toString(36)}`,
      module,
      version,
      ...(values.gateways !== undefined && { gateways: positiveInt('gateways', values.gateways, 1) }),
      ...(values['gateway-product'] !== undefined && {
        gatewayProduct: positiveInt('gateway-product', values['gateway-product'], 0),
      }),
    });
    if (plan && values.start) {
      plan = plan.status === 'draft' ? await client.publishPlan(plan.id) : await client.startPlan(plan.id);
    }

    stateRoot = values['state-dir'] ?? (await mkdtemp(join(tmpdir(), 'updraft-simulate-')));
    ownStateRoot = values['state-dir'] === undefined;
    const mqttUrl = values.mqtt ?? `mqtt://${new URL(values.server).hostname}:1883`;
    const counters: LinkCounters = { downloadBytes: 0, resumedRequests: 0 };
    const began = Date.now();
    const stop = new AbortController();
    const timer = setTimeout(() => stop.abort(), timeoutMs);
    const tty = !json && process.stdout.isTTY;
    const draw = () =>
      process.stdout.write(`\r\x1b[2K${progressLine(fleet.subjects, counters, Date.now() - began)}`);
    const redraw = tty ? setInterval(draw, 250) : undefined;
    const onChange = () => {
      if (fleet.subjects.every((s) => settledStates.includes(s.state))) stop.abort();
    };
    await Promise.all(
      fleet.sessions.map((session) =>
        runSimulatedDevice({
          transport,
          server: values.server!,
          ...(transport === 'mqtt' && { mqttUrl }),
          productKey: session.productKey,
          name: session.device.name,
          secret: session.device.secret,
          ...(session.self && { self: session.self }),
          subDevices: session.subDevices,
          module,
          version,
          stateDir: join(stateRoot!, session.device.name),
          manual: plan?.mode === 'manual',
          pollMs,
          settings,
          counters,
          onChange,
          signal: stop.signal,
        }).catch((error: unknown) => {
          // The session broke for good (refused sign-in, a bug): its devices end as failed.
          for (const s of [...(session.self ? [session.self] : []), ...session.subDevices]) {
            if (!settledStates.includes(s.state)) Object.assign(s, { state: 'failed', failure: 'other' });
          }
          if (!json) process.stderr.write(`\n${session.device.name}: ${(error as Error).message}\n`);
          onChange();
        }),
      ),
    );
    clearTimeout(timer);
    if (redraw) {
      clearInterval(redraw);
      draw();
      process.stdout.write('\n\n');
    }
    const summary = summarize(fleet.subjects, counters, Date.now() - began);
    if (plan) {
      const end = await settlePlan(client, plan.id, summary);
      summary.plan = { id: end.id, status: end.status, counts: end.counts };
    }
    process.stdout.write(json ? `${JSON.stringify(summary, null, 2)}\n` : formatSummary(summary));
    return summary.outcomes.unfinished === 0 ? 0 : 1;
  } catch (error) {
    if (isSdkError(error) || isUpdraftError(error)) {
      process.stderr.write(`updraft: ${error.code}: ${error.message}\n`);
      return 1;
    }
    throw error;
  } finally {
    if (stateRoot && ownStateRoot) await rm(stateRoot, { recursive: true, force: true });
  }
}

// `updraft simulate`: a fleet of simulated devices on the SDK (docs/simulator.md). It imports the
// devices into a product through the management API (or reuses those of a fleet file), optionally
// publishes the plan, runs every device with its behaviour until each has an outcome, and prints
// what happened: also after the timeout, an interrupt or a server that went away.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { isUpdraftError, UpdraftError } from '@updraft/core';
import { isSdkError } from '@updraft/sdk';
import {
  assignBehaviours,
  type Behaviour,
  type BehaviourSettings,
  defaultSettings,
  type Mix,
  ownerBehaviours,
  parseBehaviourFile,
  parseMix,
} from '../simulator/behaviours.ts';
import { fleetOf, fleetSize, importFleet, loadFleet, saveFleet } from '../simulator/fleet.ts';
import type { LinkCounters } from '../simulator/link-faults.ts';
import {
  createManagementClient,
  type ManagementAuth,
  type ManagementClient,
  type PlanView,
} from '../simulator/management-client.ts';
import { createOwnerApp } from '../simulator/owner-app.ts';
import { formatSummary, type Summary, summarize } from '../simulator/progress-display.ts';
import { runFleet } from '../simulator/run-fleet.ts';

const usage = `usage: updraft simulate --server URL (--plan ID [--start] | --product ID) [options]
  --api-key KEY            an operator's API key (or UPDRAFT_API_KEY), or
  --user NAME --password P a console user's password (or UPDRAFT_PASSWORD)
  --devices N              simulated devices (default 10)
  --transport T            http (OneNET), onenet-studio, mqtt (ThingsPanel v0.5),
                           thingspanel-v1, quectel (QuecThing over MQTT) or lwm2m
                           (LwM2M over CoAP); default http
  --mqtt URL               the broker (default mqtt://<server host>:1883)
  --coap URL               the LwM2M server (default coap://<server host>:5683)
  --gateways G             the product is a sub-device product: N sub-devices over G gateways,
  --gateway-product ID     imported into this gateway product
  --mix b=w,...            behaviour weights (default succeed=100): succeed, fail-download,
                           fail-check, fail-write, slow, drop, offline, reject, low-battery,
                           appoint, auto-upgrade (manual plans: the owner's app decides)
  --behaviours FILE        JSON {"mix": {...}} or {"devices": [...]}, and settings
  --module M --version V   what the devices run (default the plan's module and source version, 1.0)
  --poll-ms MS             HTTP check and confirmation period (default 1000)
  --timeout S              give up after S seconds (default 300)
  --seed N --prefix P      spread of behaviours; device name prefix (default sim-<time>)
  --fleet FILE             reuse the devices FILE lists; without it, import them and write
                           FILE (device secrets, mode 0600) for the next run
  --state-dir DIR          keep the devices' state folders (default FILE.state with --fleet,
                           otherwise a temporary folder)
  --json                   print the summary as JSON only
`;

function positiveInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < 1) {
    throw new UpdraftError('VALIDATION_FAILED', `--${name} is a whole number ≥ 1, not ${value}`);
  }
  return Number(value);
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
      coap: { type: 'string' },
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
      fleet: { type: 'string' },
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
    const transport = transportOf(values.transport ?? 'http');
    if (transport === 'lwm2m' && values.gateways !== undefined) {
      throw new UpdraftError('VALIDATION_FAILED', '--transport lwm2m has no gateways (no sub-devices)');
    }
    const apiKey = values['api-key'] ?? process.env['UPDRAFT_API_KEY'];
    const password = values.password ?? process.env['UPDRAFT_PASSWORD'];
    const auth: ManagementAuth | undefined = apiKey
      ? { apiKey }
      : values.user && password
        ? { username: values.user, password }
        : undefined;
    if (!auth) throw new UpdraftError('VALIDATION_FAILED', 'give --api-key, or --user and --password');
    const pollMs = positiveInt('poll-ms', values['poll-ms'], 1000);
    const timeoutMs = positiveInt('timeout', values.timeout, 300) * 1000;
    const seed = positiveInt('seed', values.seed, 1);
    const fleetFile = values.fleet === undefined ? undefined : resolve(values.fleet);
    const saved = fleetFile ? await loadFleet(fleetFile) : undefined;
    if (
      saved &&
      values.devices !== undefined &&
      positiveInt('devices', values.devices, 1) !== fleetSize(saved)
    ) {
      throw new UpdraftError(
        'VALIDATION_FAILED',
        `${fleetFile} holds ${fleetSize(saved)} devices, --devices is ${values.devices}`,
      );
    }
    const count = saved ? fleetSize(saved) : positiveInt('devices', values.devices, 10);
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
            `the behaviours file lists ${file.devices.length} devices, the fleet has ${count}`,
          );
        }
        kinds = file.devices;
      }
    }
    kinds ??= assignBehaviours(mix, count, seed);

    const client = await createManagementClient(values.server, auth);
    const planId = values.plan !== undefined ? positiveInt('plan', values.plan, 0) : undefined;
    let plan = planId !== undefined ? await client.getPlan(planId) : undefined;
    const productId = plan?.productId ?? saved?.productId ?? positiveInt('product', values.product, 0);
    if (saved && saved.productId !== productId) {
      throw new UpdraftError(
        'VALIDATION_FAILED',
        `the devices of ${fleetFile} are in product ${saved.productId}, not ${productId}`,
      );
    }
    const module = values.module ?? plan?.module ?? 'default';
    const version = values.version ?? plan?.sourceVersion ?? '1.0';
    let record = saved;
    if (!record) {
      record = await importFleet(client, productId, count, {
        prefix: values.prefix ?? `sim-${Date.now().toString(36)}`,
        module,
        version,
        ...(values.gateways !== undefined && { gateways: positiveInt('gateways', values.gateways, 1) }),
        ...(values['gateway-product'] !== undefined && {
          gatewayProduct: positiveInt('gateway-product', values['gateway-product'], 0),
        }),
      });
      if (fleetFile) await saveFleet(fleetFile, record);
    }
    const fleet = fleetOf(record, kinds);
    if (plan && values.start) {
      plan = plan.status === 'draft' ? await client.publishPlan(plan.id) : await client.startPlan(plan.id);
    }

    // The owner's app of the devices that decide through the end-user API (manual plans).
    const owned = fleet.subjects.filter((s) => ownerBehaviours.includes(s.behaviour)).map((s) => s.deviceId);
    const owner =
      plan?.mode === 'manual' && owned.length > 0
        ? createOwnerApp(
            values.server,
            (
              await client.issueEndUserToken(
                owned.slice(0, 1000),
                Math.min(7 * 86_400, Math.ceil(timeoutMs / 1000) + 60),
              )
            ).token,
          )
        : undefined;

    // With a fleet file the devices keep their state (installed versions, reports not yet sent)
    // for the next run, as real devices keep theirs.
    stateRoot =
      values['state-dir'] ??
      (fleetFile ? `${fleetFile}.state` : await mkdtemp(join(tmpdir(), 'updraft-simulate-')));
    ownStateRoot = values['state-dir'] === undefined && !fleetFile;
    const mqttUrl = values.mqtt ?? `mqtt://${new URL(values.server).hostname}:1883`;
    const coapUrl = values.coap ?? `coap://${new URL(values.server).hostname}:5683`;
    const counters: LinkCounters = { downloadBytes: 0, resumedRequests: 0 };
    const ran = await runFleet({
      fleet,
      device: {
        transport,
        server: values.server,
        ...(isMqtt(transport) && { mqttUrl }),
        ...(transport === 'lwm2m' && { coapUrl }),
        module,
        version,
        manual: plan?.mode === 'manual',
        pollMs,
        settings,
        ...(owner && { owner }),
      },
      stateRoot,
      timeoutMs,
      counters,
      progress: !json && process.stdout.isTTY,
      onSessionError(name, error) {
        if (!json) process.stderr.write(`\n${name}: ${(error as Error).message}\n`);
      },
    });
    const summary = summarize(fleet.subjects, counters, ran.ms, ran.ending);
    if (fleetFile) summary.fleet = { file: fleetFile, reused: saved !== undefined };
    if (plan) {
      try {
        const end = await settlePlan(client, plan.id, summary);
        summary.plan = { id: end.id, status: end.status, counts: end.counts };
      } catch (error) {
        // The server went away: the devices' side is the summary.
        summary.planError = (error as Error).message;
      }
    }
    process.stdout.write(json ? `${JSON.stringify(summary, null, 2)}\n` : formatSummary(summary));
    const code = ran.ending === 'interrupted' ? 130 : summary.outcomes.unfinished === 0 ? 0 : 1;
    // Sessions that did not stop in time hold sockets open: end without them.
    if (ran.lingering > 0) setTimeout(() => process.exit(code), 50);
    return code;
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

const transports = ['http', 'onenet-studio', 'mqtt', 'thingspanel-v1', 'quectel', 'lwm2m'] as const;
type Transport = (typeof transports)[number];

function transportOf(value: string): Transport {
  const found = transports.find((t) => t === value);
  if (!found) {
    throw new UpdraftError('VALIDATION_FAILED', `--transport is ${transports.join(', ')}; not ${value}`);
  }
  return found;
}

const isMqtt = (transport: Transport) =>
  transport === 'mqtt' || transport === 'thingspanel-v1' || transport === 'quectel';

// The agent: an SDK device (a gateway with its sub-devices) built from the configuration, whose
// modules install through hooks. It asks for upgrades every pollSeconds (HTTP; MQTT devices are
// pushed), reads battery and signal from commands, runs one hook at a time across the device
// and its sub-devices, and reboots when an A/B install or rollback asks for it: the SDK's state
// folder carries the upgrade across the reboot, and the next start goes on with it.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  createDevice,
  type Device,
  type DeviceEvent,
  type DeviceOptions,
  isSdkError,
  type ModuleOptions,
  type Telemetry,
} from '@updraft/sdk';
import type { AgentConfig, ModuleConfig, TelemetryCommands } from './config.ts';
import { createHookRunner } from './hooks.ts';
import { moduleOptions } from './module-options.ts';
import { createReboot } from './reboot.ts';
import { runShell } from './run-process.ts';
import { createSerialLock } from './serial-lock.ts';

const TELEMETRY_TIMEOUT_MS = 10_000;
/** How long stop() waits for running work before it gives up (the journal makes that safe). */
const STOP_WAIT_MS = 10_000;

export interface AgentOptions {
  log(line: string): void;
}

export function createAgent(config: AgentConfig, { log }: AgentOptions) {
  const own = `${config.credentials.productKey}.${config.credentials.name}`;
  const lock = createSerialLock();
  const hooks = createHookRunner({
    stateDir: config.stateDir,
    timeoutMs: config.hookTimeoutSeconds * 1000,
    log,
    exclusive: (fn) => lock.run(fn),
  });
  const reboot = createReboot({
    stateDir: config.stateDir,
    command: config.rebootCommand,
    bootIdFile: config.bootIdFile,
    log,
  });
  let device: Device | undefined;
  /** The device being started (a start runs the upgrades an HTTP check brings). */
  let starting: Device | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let rebooting = false;
  let polling = false;
  const waiting = new AbortController();

  const modulesOf = (
    name: string,
    deviceId: number | null,
    modules: Readonly<Record<string, ModuleConfig>>,
  ) =>
    Object.fromEntries(
      Object.entries(modules).map(([module, m]): [string, ModuleOptions] => [
        module,
        moduleOptions(module, m, {
          device: name,
          deviceId,
          hooks,
          healthTimeoutMs: config.healthTimeoutSeconds * 1000,
          log,
        }),
      ]),
    );

  async function number(command: string | null, what: string): Promise<number | undefined> {
    if (command === null) return undefined;
    try {
      const result = await runShell(command, { timeoutMs: TELEMETRY_TIMEOUT_MS });
      const value = Number.parseFloat(result.stdout.trim());
      if (result.code === 0 && Number.isFinite(value)) return value;
      log(`${what} command '${command}' gave no number (exit ${result.code})`);
    } catch (error) {
      log(`${what} command '${command}': ${(error as Error).message}`);
    }
    return undefined;
  }

  async function telemetry(commands: TelemetryCommands): Promise<Telemetry> {
    const [battery, signal] = [
      await number(commands.battery, 'battery'),
      await number(commands.signal, 'signal'),
    ];
    return { ...(battery !== undefined && { battery }), ...(signal !== undefined && { signal }) };
  }

  /** Waits for running hooks, then reboots; the lock stays held so that nothing starts after. */
  async function restart(): Promise<void> {
    await lock.acquire();
    try {
      await reboot.run();
      rebooting = true;
      clearInterval(timer);
      log('waiting for the reboot');
    } catch (error) {
      // The journal keeps the upgrade; the next start asks for the reboot again.
      log(`${(error as Error).message}; the upgrade goes on after the next restart`);
      lock.release();
    }
  }

  function onEvent(event: DeviceEvent): void {
    if (event.type === 'reconnect-failed') {
      log(`reconnect: stating where the device is failed: ${event.error.message}`);
      return;
    }
    const what = `${event.subject} ${'offer' in event ? event.offer.module : event.module}`;
    switch (event.type) {
      case 'offer':
        log(`${what}: offered ${event.offer.targetVersion} (${event.offer.kind}, ${event.offer.size} bytes)`);
        break;
      case 'deferred':
        log(`${what}: ${event.offer.targetVersion} deferred: ${event.reason}`);
        break;
      case 'progress': {
        const quarter = Math.floor((event.received * 4) / Math.max(1, event.total));
        const before = Math.floor(((event.received - 1) * 4) / Math.max(1, event.total));
        if (quarter !== before) log(`${what}: downloaded ${event.received} of ${event.total} bytes`);
        break;
      }
      case 'resumed':
        log(`${what}: ${event.offer.targetVersion} goes on at ${event.phase}`);
        break;
      case 'restarting':
        log(
          `${what}: ${event.offer.targetVersion} ${event.after === 'install' ? 'installed' : 'rolled back'}; active after a reboot`,
        );
        break;
      case 'installed':
        log(`${what}: upgraded to ${event.offer.targetVersion}`);
        void hooks.forget(event.subject, event.offer.module);
        break;
      case 'failed':
        log(`${what}: ${event.offer.targetVersion} failed: ${event.error.code} ${event.error.message}`);
        void hooks.forget(event.subject, event.offer.module);
        break;
      case 'no-offer':
        break;
    }
  }

  const options: DeviceOptions = {
    server: config.server,
    transport: config.transport,
    ...(config.mqttUrl !== null && { mqttUrl: config.mqttUrl }),
    ...(config.coapUrl !== null && { coapUrl: config.coapUrl }),
    credentials: config.credentials,
    stateDir: config.stateDir,
    modules: modulesOf(own, null, config.modules),
    subDevices: config.subDevices.map((sub) => ({
      username: sub.username,
      ...(sub.deviceId !== null && { deviceId: sub.deviceId }),
      stateDir: join(config.stateDir, 'sub', sub.username),
      modules: modulesOf(sub.username, sub.deviceId, sub.modules),
    })),
    telemetry: (subject) =>
      telemetry(config.subDevices.find((s) => s.username === subject)?.telemetry ?? config.telemetry),
    restart,
    onEvent,
  };

  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      waiting.signal.addEventListener('abort', () => {
        clearTimeout(t);
        resolve();
      });
    });

  async function poll(): Promise<void> {
    if (polling || rebooting || stopped || !device) return;
    polling = true;
    try {
      await device.checkNow();
    } catch (error) {
      log(`check failed: ${isSdkError(error) ? `${error.code} ${error.message}` : String(error)}`);
    } finally {
      polling = false;
    }
  }

  return {
    /** Starts (after the reboot it asked for, if that is still to come: asks for it again). */
    async start(): Promise<void> {
      await mkdir(config.stateDir, { recursive: true, mode: 0o700 });
      log(
        `updraft-agent for ${own} (${config.transport}, ${config.server}) on Node ${process.versions.node}`,
      );
      if (await reboot.stillPending()) {
        log('the reboot asked for earlier has not happened');
        await restart();
        return;
      }
      while (!stopped) {
        const candidate = createDevice(options);
        starting = candidate;
        try {
          await candidate.start();
          device = candidate;
          break;
        } catch (error) {
          await candidate.stop().catch(() => {});
          if (stopped) return;
          if (!isSdkError(error) || !error.retryable) throw error;
          const seconds = Math.min(config.pollSeconds, 60);
          log(`cannot start: ${error.code} ${error.message}; again in ${seconds} s`);
          await pause(seconds * 1000);
        }
      }
      if (stopped || rebooting) return;
      log(`running: ${JSON.stringify(device!.versions())}`);
      if (config.transport === 'http' || config.transport === 'onenet-studio')
        timer = setInterval(() => void poll(), config.pollSeconds * 1000);
    },

    /** Stops asking, aborts downloads (they resume), and disconnects; never waits long. */
    async stop(): Promise<void> {
      stopped = true;
      clearInterval(timer);
      waiting.abort();
      const done = (device ?? starting)?.stop() ?? Promise.resolve();
      await Promise.race([done, new Promise((resolve) => setTimeout(resolve, STOP_WAIT_MS).unref())]);
    },

    versions: (subject?: string) => device?.versions(subject) ?? {},
  };
}

export type Agent = ReturnType<typeof createAgent>;

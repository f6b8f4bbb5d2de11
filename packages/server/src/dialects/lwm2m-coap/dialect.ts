// The LwM2M dialect over CoAP (docs/lwm2m.md; ADR 0010's checklist): the Registration interface
// and the firmware download as a CoapDialect, and Object 5 pushes as a PushingDialect for
// products whose protocols list `lwm2m`.
import type { Clock } from '../../adapters/clock/clock.ts';
import type { AccessDevice, DeviceAccess } from '../../modules/device-access/device-access.ts';
import type { UpgradeNotice } from '../../modules/plans/notifier.ts';
import type { CoapClient, CoapDialect } from '../../transports/coap/coap-dialect.ts';
import type { MqttLog } from '../../transports/mqtt/mqtt-dialect.ts';
import type { PushingDialect, Send } from '../../transports/push-queue.ts';
import type { Lwm2mContext, UnderWay } from './context.ts';
import { createFirmwareSession } from './firmware-session.ts';
import { dispatch, downloadRoot, registrationRoot } from './handlers/index.ts';
import type { Lwm2mAuth } from './identity.ts';
import { createRegistry, type Registration } from './registry.ts';
import { createRelay } from './relay.ts';

export interface Lwm2mOptions {
  access: DeviceAccess;
  clock: Clock;
  log: MqttLog;
  auth: Lwm2mAuth;
  /** coap://host:port devices download from; null: the address the carrier listens on. */
  publicCoapUrl: string | null;
  /** Where the carrier listens, for the default download base. */
  coapHost: string;
  httpBase(): string;
  /** An upgrade without news this long has its client asked (stall-check.ts); tests shorten it. */
  stallMs?: number;
  /**
   * Other instances may decide for the clients registered here (PostgreSQL): each sweep then
   * writes what they pushed or withdrew (relay.ts). Off on SQLite, where one instance runs.
   */
  relay?: boolean;
}

export interface Lwm2mDialect extends CoapDialect, PushingDialect {
  /** Registrations held now. */
  registrations(): number;
  /** Operations waiting for a queue-mode client's next Update. */
  held(deviceId: number): number;
  /**
   * Drops the registrations whose lifetime ran out, checks stalled upgrades and, with `relay`,
   * delivers what other instances decided (the carrier sweeps every few seconds).
   */
  sweep(): Promise<void>;
}

export function createLwm2mCoap(options: Lwm2mOptions): Lwm2mDialect {
  const { access, clock, log } = options;
  let client: CoapClient | undefined;
  let port = 0;
  let sweeper: NodeJS.Timeout | undefined;
  const chains = new Map<number, Promise<void>>();
  const registry = createRegistry();
  const ctx: Lwm2mContext = {
    access,
    clock,
    log,
    auth: options.auth,
    registry,
    underWay: new Map<number, UnderWay>(),
    client() {
      if (!client) throw new Error('the CoAP carrier is not running');
      return client;
    },
    coapBase() {
      if (options.publicCoapUrl) return options.publicCoapUrl.replace(/\/$/, '');
      const host =
        options.coapHost === '0.0.0.0' || options.coapHost === '::' ? 'localhost' : options.coapHost;
      return `coap://${host.includes(':') ? `[${host}]` : host}:${port}`;
    },
    httpBase: options.httpBase,
    serially(reg, work) {
      const id = reg.device.id;
      const next = (chains.get(id) ?? Promise.resolve())
        .then(work)
        .catch((error: unknown) =>
          log.warn({ endpoint: reg.endpoint, err: error }, 'LwM2M operation failed'),
        );
      chains.set(id, next);
      void next.finally(() => {
        if (chains.get(id) === next) chains.delete(id);
      });
      return next;
    },
  };
  const session = createFirmwareSession(ctx, options.stallMs);
  const relay = options.relay ? createRelay(ctx, session) : undefined;
  let relaying: Promise<void> | undefined;

  const live = (device: AccessDevice): Registration | undefined => {
    const reg = registry.byDevice(device.id);
    return reg && reg.expiresAt > clock.now() ? reg : undefined;
  };

  async function sweep() {
    for (const reg of registry.expired(clock.now())) {
      registry.drop(reg);
      await access.markOnline(reg.device, false).catch(() => {});
    }
    if (client) session.checkStalled(clock.now());
    // One pass at a time: a slow database delays the next, never stacks them.
    if (relay && client && !relaying) {
      const now = clock.now();
      relaying = relay(registry.all().filter((reg) => reg.expiresAt > now))
        .catch((error: unknown) => log.warn({ err: error }, 'LwM2M relay failed'))
        .finally(() => {
          relaying = undefined;
        });
      await relaying;
    }
  }

  return {
    name: 'lwm2m-coap',
    protocol: 'lwm2m',
    owns: (path) => path[0] === registrationRoot || path[0] === downloadRoot,
    handle: (request) => dispatch(ctx, session, request),
    attach(coapClient, listeningPort) {
      client = coapClient;
      port = listeningPort;
      sweeper = setInterval(() => void sweep(), 5000);
      sweeper.unref();
    },
    async detach() {
      clearInterval(sweeper);
      await relaying;
      for (const reg of registry.all()) registry.drop(reg);
      await Promise.allSettled([...chains.values()]);
      client = undefined;
    },
    async reach(device): Promise<Send | undefined> {
      const reg = live(device);
      if (!reg || !client) return undefined;
      return (module, offer) => ctx.serially(reg, () => session.deliver(reg, module, offer));
    },
    async withdraw(batch: readonly UpgradeNotice[]) {
      for (const notice of batch) {
        const under = ctx.underWay.get(notice.deviceId);
        const reg = registry.byDevice(notice.deviceId);
        if (!under || under.upgradeId !== notice.upgradeId) continue;
        if (!reg) {
          ctx.underWay.delete(notice.deviceId);
          continue;
        }
        void ctx.serially(reg, () => session.withdraw(reg, under));
      }
    },
    registrations: () => registry.count(),
    held: (deviceId) => registry.byDevice(deviceId)?.held.length ?? 0,
    sweep,
  };
}

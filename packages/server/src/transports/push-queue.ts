// The push queue every pushing dialect shares (ADR 0010): the engine's notices wait here and
// leave at the configured rate, a chunk at a time, so that a chunk's download tokens are written
// together. Each notice goes only to the dialects the device's product speaks (products.protocols)
// and, of those, to the ones that can reach the device now.
import type { AccessDevice, DeviceAccess, Offer } from '../modules/device-access/device-access.ts';
import type { Notifier, UpgradeNotice } from '../modules/plans/notifier.ts';
import type { MqttLog } from './mqtt/mqtt-dialect.ts';

/** Puts an offer on the dialect's wire, to where the device can be reached now. */
export type Send = (module: string, offer: Offer) => Promise<void>;

export interface PushingDialect {
  readonly name: string;
  /** The products.protocols value whose devices this dialect pushes to. */
  readonly protocol: string;
  /** How to tell the device now (its session, or its gateway's), or undefined when it cannot be reached. */
  reach(device: AccessDevice): Promise<Send | undefined>;
  /**
   * false: the dialect's push names no file (Quectel's plan; the device asks for the files
   * after it confirms), so its offers are issued without download tokens. True when absent.
   */
  readonly pushesLinks?: boolean;
  /** The upgrades are off (cancel, deadline, timeout); a dialect without such a message leaves it out. */
  withdraw?(batch: readonly UpgradeNotice[]): Promise<void>;
}

const maxChunk = 500;
const maxInFlight = 4;

export function createPushQueue({
  access,
  dialects,
  pushRate,
  log,
}: {
  access: Pick<DeviceAccess, 'pushOffers' | 'productOf'>;
  dialects: readonly PushingDialect[];
  /** Pushes per second at most. */
  pushRate: number;
  log: MqttLog;
}) {
  /** The dialects a product speaks (its products.protocols). */
  async function speakingOf(productId: number): Promise<readonly PushingDialect[]> {
    const protocols = (await access.productOf(productId))?.protocols ?? [];
    return dialects.filter((d) => protocols.includes(d.protocol));
  }

  /**
   * The dialects the device's product speaks that can reach it now, and whether any of them puts
   * download links in its push.
   */
  async function sendersOf(
    device: AccessDevice,
    speaking: readonly PushingDialect[],
  ): Promise<{ sends: Send[]; links: boolean }> {
    // Most products speak one dialect: no array of promises then.
    const reached =
      speaking.length === 1
        ? [await speaking[0]!.reach(device)]
        : await Promise.all(speaking.map((d) => d.reach(device)));
    const sends: Send[] = [];
    let links = false;
    for (let i = 0; i < reached.length; i++) {
      const send = reached[i];
      if (send === undefined) continue;
      sends.push(send);
      if (speaking[i]!.pushesLinks !== false) links = true;
    }
    return { sends, links };
  }

  /**
   * A chunk of queued pushes, looked up together. A device nobody can reach is skipped (pushed
   * when it connects); one push failing does not stop the others.
   */
  async function pushChunk(batch: readonly UpgradeNotice[]): Promise<void> {
    const senders = new Map<number, Send[]>();
    // Each product's dialects once per chunk.
    const speaking = new Map<number, Promise<readonly PushingDialect[]>>();
    const offers = await access.pushOffers(batch, async (device) => {
      let products = speaking.get(device.productId);
      if (products === undefined) {
        products = speakingOf(device.productId);
        speaking.set(device.productId, products);
      }
      const { sends, links } = await sendersOf(device, await products);
      if (sends.length === 0) return false;
      senders.set(device.id, sends);
      return links ? true : 'without-links';
    });
    const sending: Promise<void>[] = [];
    for (const { device, module, offer } of offers) {
      for (const send of senders.get(device.id) ?? []) {
        sending.push(
          send(module, offer).catch((error: unknown) =>
            log.error({ err: error, deviceId: device.id }, 'push failed'),
          ),
        );
      }
    }
    await Promise.all(sending);
  }

  // Pushes wait here and leave at pushRate per second, a chunk every chunk/pushRate seconds.
  const queue: UpgradeNotice[] = [];
  let draining: Promise<void> | undefined;
  let running = false;
  const inFlight = new Set<Promise<void>>();
  async function drain(): Promise<void> {
    const chunk = Math.max(1, Math.min(maxChunk, Math.ceil(pushRate / 10)));
    while (queue.length > 0 && running) {
      const started = performance.now();
      const batch = queue.splice(0, chunk);
      const sending: Promise<void> = pushChunk(batch)
        .catch((error: unknown) => log.error({ err: error, devices: batch.length }, 'pushes failed'))
        .finally(() => inFlight.delete(sending));
      inFlight.add(sending);
      // A few chunks at once: one chunk's lookups overlap the previous one's acknowledgements.
      if (inFlight.size >= maxInFlight) await Promise.race(inFlight);
      const wait = (batch.length / pushRate) * 1000 - (performance.now() - started);
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    await Promise.all(inFlight);
  }

  // Notices that arrive while the last chunks are in flight are picked up by a new drain.
  function startDraining(): void {
    draining ??= drain().finally(() => {
      draining = undefined;
      if (queue.length > 0 && running) startDraining();
    });
  }

  const notifier: Notifier = {
    async notify(batch) {
      // Before a carrier runs (or after it stopped) nobody can be reached: a device gets its
      // push when it connects.
      if (!running) return;
      queue.push(...batch);
      startDraining();
    },
    async withdraw(batch) {
      for (const dialect of dialects) await dialect.withdraw?.(batch);
    },
  };

  return {
    notifier,
    /** A carrier runs: notices are queued from now on. */
    start(): void {
      running = true;
    },
    /** Pushes waiting for their turn. */
    queued: () => queue.length,
    /** Drops the queue and waits for the chunks in flight. */
    async stop(): Promise<void> {
      running = false;
      queue.length = 0;
      await draining;
    },
  };
}

export type PushQueue = ReturnType<typeof createPushQueue>;

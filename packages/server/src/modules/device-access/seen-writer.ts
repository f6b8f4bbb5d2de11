// Last seen, signal, battery and free space: written when they change, or a while after the last write,
// batched per turn of the event loop (a check must not cost a commit of its own for this).
import type { Clock } from '../../adapters/clock/clock.ts';
import { createEventBatcher } from './event-batcher.ts';
import type { DeviceDirectory, Telemetry } from './ports.ts';

export interface SeenWriter {
  /** The device is here now, with what it measured (if it said). */
  noteSeen(deviceId: number, measured?: Measured): Promise<void>;
  /** A session of the device opened (true) or its last one closed (false). */
  markOnline(deviceId: number, online: boolean): Promise<void>;
}

/** What a device measured of itself, when it said. */
export type Measured = Pick<Telemetry, 'signal' | 'battery' | 'freeSpace'>;

export function createSeenWriter({
  devices,
  clock,
  seenWriteMs,
}: {
  devices: Pick<DeviceDirectory, 'recordSeen'>;
  clock: Clock;
  /** A device's last-seen time is written at most this often unless its signal or battery changes. */
  seenWriteMs: number;
}): SeenWriter {
  const writer = createEventBatcher<{ id: number; telemetry: Telemetry }, void>(async (entries) => {
    await devices.recordSeen(entries);
    return entries.map(() => undefined);
  });
  const seen = new Map<number, { at: number } & Measured>();
  const keys = ['signal', 'battery', 'freeSpace'] as const;

  return {
    async noteSeen(deviceId, measured = {}) {
      const now = clock.now();
      const last = seen.get(deviceId);
      const said: Measured = {};
      for (const key of keys) if (measured[key] !== undefined) said[key] = measured[key];
      if (
        last &&
        now - last.at < seenWriteMs &&
        keys.every((key) => said[key] === undefined || said[key] === last[key])
      ) {
        return;
      }
      if (seen.size >= 200_000) seen.clear();
      seen.set(deviceId, { ...last, ...said, at: now });
      await writer.report({ id: deviceId, telemetry: said });
    },

    async markOnline(deviceId, online) {
      const last = seen.get(deviceId);
      seen.set(deviceId, { ...last, at: clock.now() });
      await writer.report({ id: deviceId, telemetry: { online } });
    },
  };
}

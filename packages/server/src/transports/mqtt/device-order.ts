// A device's uplinks apply in the order it sent them: work is chained per device key, and
// chains of different devices run side by side. The one place both carriers keep order.
import type { MqttLog } from './mqtt-dialect.ts';

export function createDeviceOrder(log: MqttLog) {
  const chains = new Map<string, Promise<unknown>>();
  return {
    /**
     * Runs `work` after the key's earlier work and settles as it does (the carrier acknowledges
     * then); a failure is logged and does not stop the chain.
     */
    run(key: string, work: () => Promise<unknown>): Promise<void> {
      const done = (chains.get(key) ?? Promise.resolve()).then(work).then(() => undefined);
      const next = done
        .catch((error: unknown) => log.error({ err: error, key }, 'MQTT message handling failed'))
        .finally(() => {
          if (chains.get(key) === next) chains.delete(key);
        });
      chains.set(key, next);
      return done;
    },
    /** Waits for the work queued so far. */
    async settle(): Promise<void> {
      await Promise.allSettled([...chains.values()]);
    },
  };
}

export type DeviceOrder = ReturnType<typeof createDeviceOrder>;

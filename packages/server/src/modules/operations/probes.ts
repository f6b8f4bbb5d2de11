// The dependencies /readyz probes, each through its own port.
import { randomUUID } from 'node:crypto';
import type { BlobStore } from '../firmware/blob-store.ts';
import type { ReadinessProbe } from './readiness.ts';

/**
 * Writes a small blob of unique bytes (so that instances sharing the store never probe the same
 * key), reads it back, compares, and deletes it: the firmware folder or bucket takes writes and
 * gives back what it took.
 */
export function blobStoreProbe(blobs: BlobStore): ReadinessProbe {
  return {
    name: 'blobStore',
    async probe() {
      const bytes = Buffer.from(`updraft readiness probe ${randomUUID()}`);
      const writer = await blobs.beginWrite({ maxBytes: bytes.length });
      let key: string | undefined;
      try {
        await writer.write(bytes);
        key = (await writer.finish()).key;
        await writer.commit();
        const chunks: Buffer[] = [];
        for await (const chunk of await blobs.open(key)) chunks.push(Buffer.from(chunk as Uint8Array));
        if (!Buffer.concat(chunks).equals(bytes))
          throw new Error('the blob read back differs from the one written');
      } finally {
        await writer.abort().catch(() => {});
        if (key) await blobs.delete(key);
      }
    },
  };
}

/** The MQTT transport: started, and (external broker) connected. */
export function brokerProbe(state: () => 'not started' | 'connected' | 'disconnected'): ReadinessProbe {
  return {
    name: 'broker',
    async probe() {
      const now = state();
      if (now === 'not started') throw new Error('the MQTT transport has not started');
      if (now === 'disconnected') throw new Error('the MQTT broker is not connected');
    },
  };
}

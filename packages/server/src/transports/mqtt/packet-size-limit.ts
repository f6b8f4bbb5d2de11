// aedes reads packets of any size (MQTT 3.1.1 §2.2.3 allows 256 MB): one client could make the
// broker buffer that much. This reads the fixed headers of the inbound bytes as they pass and
// closes a connection whose packet announces more than the limit, before its body arrives.
import type { Socket } from 'node:net';
import type { MqttLog } from './mqtt-dialect.ts';

/** Follows packet boundaries: type byte, Remaining Length (§2.2.3, 1..4 bytes), body. */
function createScanner(maxBytes: number) {
  let state: 'type' | 'length' = 'type';
  let length = 0;
  let multiplier = 1;
  let skip = 0;
  /** The announced length of the first packet over the limit in `chunk`, or null. */
  return (chunk: Buffer): number | null => {
    let i = 0;
    while (i < chunk.length) {
      if (skip > 0) {
        const n = Math.min(skip, chunk.length - i);
        skip -= n;
        i += n;
        continue;
      }
      const byte = chunk[i++]!;
      if (state === 'type') {
        state = 'length';
        length = 0;
        multiplier = 1;
        continue;
      }
      length += (byte & 0x7f) * multiplier;
      multiplier *= 128;
      if ((byte & 0x80) !== 0 && multiplier <= 128 ** 3) continue;
      if (length > maxBytes) return length;
      skip = length;
      state = 'type';
    }
    return null;
  };
}

/**
 * Watches what `socket` delivers (a 'data' listener beside the broker's own reads: no stream of
 * its own, so an idle connection costs nothing more) and closes it when a packet announces more
 * than `maxBytes`.
 */
export function watchPacketSize(socket: Socket, maxBytes: number, log: MqttLog): void {
  const scan = createScanner(maxBytes);
  const watch = (chunk: Buffer) => {
    const announced = scan(chunk);
    if (announced === null) return;
    socket.off('data', watch);
    log.warn(
      { remoteAddress: socket.remoteAddress, bytes: announced, maxBytes },
      'MQTT packet too large; connection closed',
    );
    socket.destroy();
  };
  socket.on('data', watch);
}

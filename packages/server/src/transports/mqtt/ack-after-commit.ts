// Manual acknowledgements for the external-broker client (ADR 0012): a device message's PUBACK
// leaves only once the work it started has committed. mqtt.js handles incoming packets one at a
// time and writes the PUBACK from the callback of `handleMessage`; waiting there would hand the
// database one message per commit. Instead the client goes on to the next packet at once and the
// PUBACK itself is held: it is written when the message's work settles, in the order the messages
// came (MQTT 5 §4.6: PUBACKs in the order of the PUBLISH packets), so a batch of messages commits
// together and is acknowledged together. Work that fails is not acknowledged: the connection is
// dropped, and the broker hands every unacknowledged message over again once the client is back
// on its session.
import type { IPublishPacket, MqttClient, Packet } from 'mqtt';
import type { MqttLog } from './mqtt-dialect.ts';

interface Internals {
  _sendPacket(packet: Packet, cb?: (error?: Error) => void, ...rest: unknown[]): void;
}

export function holdAcksUntilCommitted(client: MqttClient, log: MqttLog) {
  const internals = client as unknown as Internals;
  const send = internals._sendPacket.bind(client);
  /** The work of each message whose PUBACK mqtt.js is about to write, by message id. */
  const holds = new Map<number, Promise<void>>();
  // Acknowledgements leave in arrival order: each waits for the one before it.
  let previous: Promise<unknown> = Promise.resolve();
  // A connection that dropped takes its held acknowledgements with it: the broker sends those
  // messages again on the next one, and they are acknowledged then.
  let generation = 0;
  client.on('close', () => {
    generation++;
    holds.clear();
  });

  internals._sendPacket = (packet, cb, ...rest) => {
    const work = packet.cmd === 'puback' ? holds.get(packet.messageId ?? -1) : undefined;
    if (work === undefined) return send(packet, cb, ...rest);
    holds.delete(packet.messageId!);
    // mqtt.js goes on to the next packet now; the PUBACK waits for the commit.
    cb?.();
    const mine = generation;
    const prior = previous;
    previous = (async () => {
      await prior;
      try {
        await work;
      } catch (error) {
        if (mine !== generation) return;
        log.error(
          { err: error },
          'MQTT message not acknowledged: its work failed; reconnecting for redelivery',
        );
        generation++;
        holds.clear();
        // The broker keeps the unacknowledged messages in the session and sends them again.
        client.stream?.destroy();
        return;
      }
      if (mine === generation && client.connected) send(packet);
    })();
  };

  return {
    /** The PUBACK of `packet` (QoS 1) waits for `work`. */
    hold(packet: IPublishPacket, work: Promise<void>): void {
      if (packet.qos === 1 && packet.messageId !== undefined) holds.set(packet.messageId, work);
    },
    /** Resolves once every acknowledgement held so far has left or been dropped. */
    async flush(): Promise<void> {
      await previous;
    },
  };
}

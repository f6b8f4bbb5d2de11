// A TCP proxy between MQTT devices and a broker that can lose a device's messages the way a
// broker does when it drops them after acknowledging them (Mosquitto past `max_queued_messages`,
// docs/deployment.md): while `dropping` is set, each PUBLISH from a device is answered with its
// PUBACK and never forwarded. Everything else passes whole packets, in order, both ways.
import { connect, createServer, type Socket } from 'node:net';

export interface MqttDropProxy {
  /** mqtt://127.0.0.1:port, for the devices. */
  url: string;
  /** Devices' PUBLISH packets are acknowledged and lost while true. */
  dropping: boolean;
  /** The topics of the packets lost, in order. */
  dropped: string[];
  close(): Promise<void>;
}

/** Splits a byte stream into whole MQTT control packets (MQTT 3.1.1 §2.2: fixed header, remaining length). */
function framer(onPacket: (packet: Buffer) => void): (chunk: Buffer) => void {
  let buffered = Buffer.alloc(0);
  return (chunk) => {
    buffered = Buffer.concat([buffered, chunk]);
    for (;;) {
      let length = 0;
      let multiplier = 1;
      let at = 1;
      for (;;) {
        if (at >= buffered.length) return;
        const byte = buffered[at++]!;
        length += (byte & 0x7f) * multiplier;
        multiplier *= 128;
        if ((byte & 0x80) === 0) break;
      }
      if (buffered.length < at + length) return;
      onPacket(buffered.subarray(0, at + length));
      buffered = buffered.subarray(at + length);
    }
  };
}

/** The topic and packet id of a PUBLISH (MQTT 3.1.1 §3.3.2); the packet id only at QoS 1 and 2. */
function publishOf(packet: Buffer): { topic: string; packetId: number | undefined } {
  let at = 1;
  while ((packet[at++]! & 0x80) !== 0);
  const topicLength = packet.readUInt16BE(at);
  const topic = packet.subarray(at + 2, at + 2 + topicLength).toString('utf8');
  const qos = (packet[0]! >> 1) & 0x03;
  return { topic, packetId: qos > 0 ? packet.readUInt16BE(at + 2 + topicLength) : undefined };
}

export async function startMqttDropProxy(brokerUrl: string): Promise<MqttDropProxy> {
  const broker = new URL(brokerUrl);
  const sockets = new Set<Socket>();
  const proxy: MqttDropProxy = { url: '', dropping: false, dropped: [], close: async () => {} };
  const server = createServer((device) => {
    const upstream = connect(Number(broker.port || 1883), broker.hostname);
    for (const socket of [device, upstream]) {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => {
        sockets.delete(socket);
        device.destroy();
        upstream.destroy();
      });
    }
    upstream.on(
      'data',
      framer((packet) => device.write(packet)),
    );
    device.on(
      'data',
      framer((packet) => {
        if (proxy.dropping && packet[0]! >> 4 === 3) {
          const { topic, packetId } = publishOf(packet);
          proxy.dropped.push(topic);
          // PUBACK (§3.4): the device takes it as delivered and does not send it again.
          if (packetId !== undefined) device.write(Buffer.from([0x40, 0x02, packetId >> 8, packetId & 0xff]));
          return;
        }
        upstream.write(packet);
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the proxy has no port');
  proxy.url = `mqtt://127.0.0.1:${address.port}`;
  proxy.close = async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return proxy;
}

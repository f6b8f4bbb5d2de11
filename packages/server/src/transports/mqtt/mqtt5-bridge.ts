// aedes 1.2 speaks MQTT 3.1 and 3.1.1 only. This lets MQTT 5 devices use the embedded broker:
// a connection whose CONNECT says version 5 (MQTT 5 §3.1.2.2) goes through a translator that
// re-encodes each packet as MQTT 3.1.1 towards aedes and as MQTT 5 towards the device; other
// connections are handed to aedes as they are. What MQTT 3.1.1 cannot carry is dropped on the way in
// (properties, subscription options); reason codes on the way out are the MQTT 5 equivalents of
// the 3.1.1 return codes (MQTT 5 §3.2.2.2, §3.9.3). Topic aliases and AUTH are not supported:
// a device that uses them is disconnected with reason 0x83 (implementation specific error).
import type { Socket } from 'node:net';
import { Duplex, PassThrough, Writable } from 'node:stream';
import mqttPacket, { type Packet } from 'mqtt-packet';

// MQTT 3.1.1 CONNACK return code -> MQTT 5 CONNACK reason code.
const connackReason: Record<number, number> = {
  0: 0x00,
  1: 0x84, // unsupported protocol version
  2: 0x85, // client identifier not valid
  3: 0x88, // server unavailable
  4: 0x86, // bad user name or password
  5: 0x87, // not authorized
};

type Translated = Packet | { close: number } | null;

/** A PUBLISH without its properties: the same fields in both versions. */
function copyPublish(packet: Extract<Packet, { cmd: 'publish' }>): Packet {
  return {
    cmd: 'publish',
    topic: packet.topic,
    payload: packet.payload,
    qos: packet.qos,
    retain: packet.retain,
    dup: packet.dup,
    ...(packet.messageId !== undefined && { messageId: packet.messageId }),
  };
}

/** A device's MQTT 5 packet as MQTT 3.1.1 for aedes; null drops it. */
function toBroker(packet: Packet, unsubscribes: Map<number, number>): Translated {
  switch (packet.cmd) {
    case 'connect':
      return {
        cmd: 'connect',
        protocolId: 'MQTT',
        protocolVersion: 4,
        clean: packet.clean,
        keepalive: packet.keepalive,
        clientId: packet.clientId,
        ...(packet.username !== undefined && { username: packet.username }),
        ...(packet.password !== undefined && { password: packet.password }),
        ...(packet.will && {
          will: {
            topic: packet.will.topic,
            payload: packet.will.payload,
            qos: packet.will.qos,
            retain: packet.will.retain,
          },
        }),
      };
    case 'publish':
      if (packet.topic === '' || packet.properties?.topicAlias !== undefined) return { close: 0x83 };
      return copyPublish(packet);
    case 'subscribe':
      return {
        cmd: 'subscribe',
        messageId: packet.messageId!,
        subscriptions: packet.subscriptions.map(({ topic, qos }) => ({ topic, qos })),
      };
    case 'unsubscribe':
      unsubscribes.set(packet.messageId!, packet.unsubscriptions.length);
      return { cmd: 'unsubscribe', messageId: packet.messageId!, unsubscriptions: packet.unsubscriptions };
    case 'puback':
    case 'pubrec':
    case 'pubrel':
    case 'pubcomp':
      return { cmd: packet.cmd, messageId: packet.messageId! } as Packet;
    case 'pingreq':
    case 'disconnect':
      return { cmd: packet.cmd } as Packet;
    default:
      return { close: 0x83 };
  }
}

/** aedes's MQTT 3.1.1 packet as MQTT 5 for the device. */
function toDevice(packet: Packet, unsubscribes: Map<number, number>): Packet | null {
  switch (packet.cmd) {
    case 'connack':
      return {
        cmd: 'connack',
        sessionPresent: packet.sessionPresent,
        reasonCode: connackReason[packet.returnCode ?? 0] ?? 0x80,
      };
    case 'suback':
      // 0..2 granted QoS, 0x80 failure: the same numbers in MQTT 5.
      return { cmd: 'suback', messageId: packet.messageId, granted: packet.granted } as Packet;
    case 'unsuback': {
      const count = unsubscribes.get(packet.messageId!) ?? 1;
      unsubscribes.delete(packet.messageId!);
      return { cmd: 'unsuback', messageId: packet.messageId!, granted: Array(count).fill(0) } as Packet;
    }
    case 'publish':
      return copyPublish(packet);
    case 'puback':
    case 'pubrec':
    case 'pubrel':
    case 'pubcomp':
      return { cmd: packet.cmd, messageId: packet.messageId!, reasonCode: 0 } as Packet;
    case 'pingresp':
      return { cmd: 'pingresp' };
    default:
      return null;
  }
}

/**
 * The protocol level of a CONNECT at the start of `bytes` (MQTT 5 §3.1.2.2, 3.1.1 §3.1.2.2),
 * `'more'` while too few bytes have arrived to tell, `'other'` when they are not a CONNECT.
 */
export function connectLevel(bytes: Buffer): number | 'more' | 'other' {
  if (bytes.length < 1) return 'more';
  if (bytes[0] !== 0x10) return 'other';
  // Remaining length: 1 to 4 bytes of 7 bits (§2.1.4).
  let at = 1;
  for (;;) {
    if (at >= bytes.length) return 'more';
    if ((bytes[at++]! & 0x80) === 0) break;
    if (at > 4) return 'other';
  }
  if (at + 2 > bytes.length) return 'more';
  const nameLength = bytes.readUInt16BE(at);
  const levelAt = at + 2 + nameLength;
  return levelAt < bytes.length ? bytes[levelAt]! : 'more';
}

/**
 * Reads a new connection's first packet and tells which MQTT version it speaks (3, 4 or 5; 4
 * when it is not a readable CONNECT, so that aedes answers it as it does). The bytes read are
 * put back: the socket is handed over paused, as it arrived. Only a CONNECT of level 5 is read
 * whole by mqtt-packet's parser; any other is aedes' at once (a parser per connection was 16
 * KiB of garbage each, 10,000 devices connecting at once).
 */
export function probeMqttVersion(socket: Socket, decided: (version: number) => void): void {
  const held: Buffer[] = [];
  let detector: ReturnType<typeof mqttPacket.parser> | undefined;
  let done = false;
  const decide = (version: number) => {
    if (done) return;
    done = true;
    socket.off('data', hold);
    socket.pause();
    socket.unshift(Buffer.concat(held));
    decided(version);
  };
  let size = 0;
  const hold = (chunk: Buffer) => {
    held.push(chunk);
    size += chunk.length;
    // A CONNECT is small; one still unread past this is left to aedes and the size watcher.
    if (size > 16 * 1024) return decide(4);
    if (detector) return void detector.parse(chunk);
    const level = connectLevel(held.length === 1 ? chunk : Buffer.concat(held));
    if (level === 'more') return;
    if (level !== 5) return decide(level === 3 ? 3 : 4);
    // mqtt-packet's parser takes the version from the CONNECT (MQTT 5 §3.1.2.2).
    detector = mqttPacket.parser();
    detector.on('packet', (packet: Packet) =>
      decide(packet.cmd === 'connect' ? (packet.protocolVersion ?? 4) : 4),
    );
    detector.on('error', () => decide(4));
    for (const part of held) detector.parse(part);
  };
  socket.on('data', hold);
}

/** The stream aedes should handle for an MQTT 5 connection (probeMqttVersion said 5). */
export function bridgeMqtt5(socket: Duplex): Duplex {
  const inbound = new PassThrough();
  const unsubscribes = new Map<number, number>();
  const v5 = { protocolVersion: 5 } as const;

  // Device -> broker.
  const fromDevice = mqttPacket.parser(v5);
  const closeWith = (reasonCode: number) => {
    socket.end(mqttPacket.generate({ cmd: 'disconnect', reasonCode }, v5));
    inbound.end();
  };
  fromDevice.on('packet', (packet: Packet) => {
    const translated = toBroker(packet, unsubscribes);
    if (translated === null) return;
    if ('close' in translated) return closeWith(translated.close);
    let bytes: Buffer;
    try {
      bytes = mqttPacket.generate(translated);
    } catch {
      // What MQTT 5 allows and 3.1.1 cannot carry (the fuzz suite found a password without a
      // user name, which made mqtt-packet throw here and took the server down): refused.
      if (packet.cmd !== 'connect') return closeWith(0x81);
      socket.end(mqttPacket.generate({ cmd: 'connack', sessionPresent: false, reasonCode: 0x86 }, v5));
      inbound.end();
      return;
    }
    inbound.write(bytes);
  });
  fromDevice.on('error', () => closeWith(0x81)); // malformed packet

  // Broker -> device: aedes writes MQTT 3.1.1.
  const fromBroker = mqttPacket.parser({ protocolVersion: 4 });
  fromBroker.on('packet', (packet: Packet) => {
    const translated = toDevice(packet, unsubscribes);
    if (translated === null || socket.destroyed) return;
    try {
      socket.write(mqttPacket.generate(translated, v5));
    } catch {
      socket.destroy();
    }
  });

  socket.on('data', (chunk: Buffer) => fromDevice.parse(chunk));
  // The probe handed the socket over paused.
  socket.resume();
  socket.on('end', () => inbound.end());
  const outbound = new Writable({
    write(chunk: Buffer, _encoding, done) {
      fromBroker.parse(chunk);
      done();
    },
    final(done) {
      socket.end();
      done();
    },
  });
  const duplex = Duplex.from({ readable: inbound, writable: outbound });
  duplex.on('close', () => socket.destroy());
  socket.on('close', () => duplex.destroy());
  socket.on('error', () => duplex.destroy());
  return duplex;
}

// Test support: a small QuecThing device written from protocols.md §3.2 (not the SDK): it signs
// in with `qd{ProductKey}{DeviceKey}` and no username, subscribes to `q/1/d/{clientId}/+`,
// publishes framed TTLV on `q/2/d/{clientId}/ota`, and collects what it is sent, decoded.
import {
  createPacketIds,
  createQuectelPassword,
  decodeQuectelMessage,
  encodeQuectelMessage,
  type OtaEvent,
  type OtaRequest,
  type QuectelMessage,
  quectelClientId,
  quectelTopics,
} from '@updraft/protocol';
import { connectAsync, type MqttClient } from 'mqtt';

export interface QuectelTestDevice {
  client: MqttClient;
  clientId: string;
  /** Every downlink, decoded (or the decoder's error), oldest first. */
  received: { topic: string; packetId: number; message: QuectelMessage }[];
  /** The next downlink of this kind that `match` accepts (from now on, or already waiting unread). */
  next<K extends QuectelMessage['kind']>(
    kind: K,
    match?: (m: Extract<QuectelMessage, { kind: K }>) => boolean,
    timeoutMs?: number,
  ): Promise<Extract<QuectelMessage, { kind: K }>>;
  /** Sends a message; resolves with its packet id once the broker acknowledged it. */
  send(message: QuectelMessage): Promise<number>;
  request(request?: OtaRequest): Promise<number>;
  event(event: OtaEvent): Promise<number>;
  /** Publishes raw bytes on the device's OTA uplink (or another topic). */
  raw(payload: Buffer, topic?: string): Promise<void>;
  close(): Promise<void>;
}

export async function connectQuectelDevice(
  url: string,
  device: { productKey: string; deviceKey: string; secret: string },
  options: {
    /** 'plain': the secret itself; a number: Updraft's signed password, valid until then (Unix s). */
    password?: 'plain' | number;
    subscribe?: boolean;
  } = {},
): Promise<QuectelTestDevice> {
  const clientId = quectelClientId(device.productKey, device.deviceKey);
  const password =
    options.password === undefined || options.password === 'plain'
      ? device.secret
      : createQuectelPassword(clientId, device.secret, options.password);
  const client = await connectAsync(
    url,
    {
      clientId,
      // MQTT 3.1.1 sends a password only with a username (§3.1.2.9): an empty one.
      username: '',
      password,
      reconnectPeriod: 0,
      connectTimeout: 10_000,
    },
    false,
  );
  const received: QuectelTestDevice['received'] = [];
  let read = 0;
  const waiters: (() => void)[] = [];
  client.on('message', (topic, payload) => {
    try {
      const { packetId, message } = decodeQuectelMessage(payload);
      received.push({ topic, packetId, message });
    } catch (error) {
      received.push({
        topic,
        packetId: 0,
        message: { kind: 'other', cmd: -1, nodes: [] },
      });
      console.log(`# undecodable downlink on ${topic}: ${(error as Error).message}`);
    }
    for (const wake of waiters.splice(0)) wake();
  });
  if (options.subscribe !== false)
    await client.subscribeAsync(quectelTopics.subscription(clientId), { qos: 1 });
  const packetIds = createPacketIds();
  const send = async (message: QuectelMessage) => {
    const packetId = packetIds();
    await client.publishAsync(quectelTopics.uplink(clientId), encodeQuectelMessage(packetId, message), {
      qos: 1,
    });
    return packetId;
  };
  return {
    client,
    clientId,
    received,
    async next(kind, match = () => true, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        while (read < received.length) {
          const { message } = received[read++]!;
          if (message.kind === kind && match(message as never)) return message as never;
        }
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no ${kind} downlink for ${clientId} within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    },
    send,
    request: (request = {}) => send({ kind: 'request', request }),
    event: (event) => send({ kind: 'event', event }),
    async raw(payload, topic = quectelTopics.uplink(clientId)) {
      await client.publishAsync(topic, payload, { qos: 1 });
    },
    async close() {
      await client.endAsync(true);
    },
  };
}

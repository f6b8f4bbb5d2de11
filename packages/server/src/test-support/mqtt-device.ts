// Test support for the MQTT transport: mqtt.js devices that collect what they are sent, and a
// wait for the next message on a topic (event driven, generous timeout, never a fixed sleep).
import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';

export interface TestMqttDevice {
  client: MqttClient;
  username: string;
  /** Every message received, oldest first. */
  received: { topic: string; body: Record<string, unknown> }[];
  /** Resolves with the next message on `topic` that `match` accepts (received from now on, or already waiting unread). */
  next(
    topic: string,
    match?: (body: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  publish(topic: string, payload: unknown): Promise<void>;
  close(): Promise<void>;
}

export async function connectDevice(
  url: string,
  username: string,
  password: string,
  options: IClientOptions = {},
): Promise<TestMqttDevice> {
  const client = await connectAsync(
    url,
    {
      username,
      password,
      // A client id of the device's own (mqtt-dialect.ts clientIdBelongs), unless a test names one.
      clientId: `${username}~${Math.random().toString(36).slice(2, 10)}`,
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      ...options,
    },
    false,
  );
  const received: TestMqttDevice['received'] = [];
  let read = 0;
  const waiters: (() => void)[] = [];
  client.on('message', (topic, payload) => {
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(payload.toString('utf8')) as Record<string, unknown>;
    } catch {
      body = { raw: payload.toString('utf8') };
    }
    received.push({ topic, body });
    for (const wake of waiters.splice(0)) wake();
  });
  return {
    client,
    username,
    received,
    async next(topic, match = () => true, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        while (read < received.length) {
          const message = received[read++]!;
          if (message.topic === topic && match(message.body)) return message.body;
        }
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no message on ${topic} within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    },
    async publish(topic, payload) {
      await client.publishAsync(topic, typeof payload === 'string' ? payload : JSON.stringify(payload), {
        qos: 1,
      });
    },
    async close() {
      await client.endAsync(true);
    },
  };
}

/** Polls `probe` until it returns a value other than undefined (state written by another process or turn). */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

// The carrier's requests to two devices over real UDP, where one device's message id equals that
// of the server's request in flight to the other (agent-peers.ts): a notification with that id
// reaches its observation, and an ACK with that id does not stop the other request's
// retransmissions (RFC 7252 §4.4: message ids are unique per endpoint only).
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { after, before, describe, it } from 'node:test';
import {
  type CoapMessage,
  coapOptions,
  coapTypes,
  encodeCoap,
  parseCoap,
  uintOption,
} from '../../test-support/coap-raw.ts';
import { type CoapTransport, startCoap } from './coap-carrier.ts';
import type { CoapClient, CoapDialect } from './coap-dialect.ts';

const quiet = { info() {}, warn() {}, error() {} };

/** A device: a socket whose datagrams from the carrier are queued for the test to take. */
async function device() {
  const socket: Socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const inbox: CoapMessage[] = [];
  const waiting: ((m: CoapMessage) => void)[] = [];
  socket.on('message', (bytes) => {
    const message = parseCoap(bytes);
    const next = waiting.shift();
    if (next) next(message);
    else inbox.push(message);
  });
  return {
    peer: { address: '127.0.0.1', port: (socket.address() as { port: number }).port },
    /** The next datagram from the carrier, or undefined after `ms`. */
    next(ms = 2000): Promise<CoapMessage | undefined> {
      const queued = inbox.shift();
      if (queued) return Promise.resolve(queued);
      return new Promise((resolve) => {
        const take = (m: CoapMessage) => {
          clearTimeout(timer);
          resolve(m);
        };
        const timer = setTimeout(() => {
          waiting.splice(waiting.indexOf(take), 1);
          resolve(undefined);
        }, ms);
        waiting.push(take);
      });
    },
    send: (message: Parameters<typeof encodeCoap>[0], port: number) =>
      socket.send(encodeCoap(message), port, '127.0.0.1'),
    close: () => socket.close(),
  };
}

describe('the carrier, two devices using one message id', () => {
  let carrier: CoapTransport;
  let client: CoapClient;
  let a: Awaited<ReturnType<typeof device>>;
  let b: Awaited<ReturnType<typeof device>>;
  before(async () => {
    const dialect: CoapDialect = {
      name: 'client-only',
      owns: () => false,
      handle: async () => ({ code: '4.04' }),
      attach(coapClient) {
        client = coapClient;
      },
      async detach() {},
    };
    carrier = await startCoap({ host: '127.0.0.1', port: 0, dialects: [dialect], log: quiet });
    a = await device();
    b = await device();
  });
  after(async () => {
    a.close();
    b.close();
    await carrier.close();
  });

  it("delivers B's notification whose id is that of the request in flight to A", async () => {
    const seen: string[] = [];
    const observing = client.observe(b.peer, '/5/0/3', (n) => seen.push(n.payload.toString()));
    const observe = (await b.next())!;
    b.send(
      {
        type: coapTypes.ack,
        code: '2.05',
        messageId: observe.messageId,
        token: observe.token,
        options: [{ number: coapOptions.observe, value: uintOption(2) }],
        payload: Buffer.from('1'),
      },
      carrier.port,
    );
    const observation = await observing;
    // A request to A that A leaves unanswered for now.
    const reading = client.request(a.peer, { method: 'GET', path: '/3/0/3' });
    const toA = (await a.next())!;
    // B notifies State 2 with the id of the server's request to A.
    b.send(
      {
        type: coapTypes.con,
        code: '2.05',
        messageId: toA.messageId,
        token: observe.token,
        options: [{ number: coapOptions.observe, value: uintOption(3) }],
        payload: Buffer.from('2'),
      },
      carrier.port,
    );
    const ack = await b.next();
    assert.deepEqual([ack?.type, ack?.messageId], [coapTypes.ack, toA.messageId], 'B is acknowledged');
    for (let i = 0; i < 50 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(seen, ['2'], 'the notification reached the observation');
    a.send(
      {
        type: coapTypes.ack,
        code: '2.05',
        messageId: toA.messageId,
        token: toA.token,
        payload: Buffer.from('1.0'),
      },
      carrier.port,
    );
    assert.equal((await reading).payload.toString(), '1.0', "A's answer still ends A's request");
    observation.cancel();
  });

  it('an ACK from B with the id of the request to A leaves that request retransmitted', async () => {
    const reading = client.request(a.peer, { method: 'GET', path: '/3/0/9' });
    const toA = (await a.next())!;
    b.send({ type: coapTypes.ack, code: '0.00', messageId: toA.messageId }, carrier.port);
    // ACK_TIMEOUT is 2 to 3 s (RFC 7252 §4.8): A gets the same message again.
    const again = await a.next(5000);
    assert.equal(again?.messageId, toA.messageId, 'retransmitted to A');
    a.send(
      {
        type: coapTypes.ack,
        code: '2.05',
        messageId: toA.messageId,
        token: toA.token,
        payload: Buffer.from('90'),
      },
      carrier.port,
    );
    assert.equal((await reading).payload.toString(), '90');
  });
});

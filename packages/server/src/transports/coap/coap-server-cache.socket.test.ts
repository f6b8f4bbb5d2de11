// A retransmitted request (same message id from the same client) is answered again from the
// server's cache, byte for byte, without the dialect being asked twice (RFC 7252 §4.5), now that
// the cache keeps piggy-backed answers as bare copies (coap-server.ts, slimAnswer).
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { after, before, describe, it } from 'node:test';
import { blockOption, coapOptions, coapTypes, encodeCoap, uriOptions } from '../../test-support/coap-raw.ts';
import { type CoapTransport, startCoap } from './coap-carrier.ts';
import type { CoapDialect } from './coap-dialect.ts';

const quiet = { info() {}, warn() {}, error() {} };

describe('the CoAP carrier, a retransmitted request', () => {
  let carrier: CoapTransport;
  let socket: Socket;
  let asked = 0;
  const body = Buffer.alloc(5000, 7);
  before(async () => {
    const counting: CoapDialect = {
      name: 'counting',
      owns: (path) => path[0] === 'count',
      handle: async () => {
        asked++;
        return { code: '2.05', payload: body };
      },
      attach() {},
      async detach() {},
    };
    carrier = await startCoap({ host: '127.0.0.1', port: 0, dialects: [counting], log: quiet });
    socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  });
  after(async () => {
    socket.close();
    await carrier.close();
  });

  function send(bytes: Buffer): Promise<Buffer> {
    return new Promise((resolve) => {
      socket.once('message', resolve);
      socket.send(bytes, carrier.port, '127.0.0.1');
    });
  }

  it('answers the same block again from the cache, without asking the dialect', async () => {
    const request = encodeCoap({
      type: coapTypes.con,
      code: 'GET',
      messageId: 4242,
      token: Buffer.from([9, 9]),
      options: [...uriOptions('/count'), { number: coapOptions.block2, value: blockOption(0, false, 6) }],
    });
    const first = await send(request);
    const again = await send(request);
    assert.equal(asked, 1, 'the dialect was asked once');
    assert.deepEqual(again, first, 'the same answer, byte for byte');
    assert.equal((first[0]! >> 4) & 0x03, coapTypes.ack, 'piggy-backed on the ACK');
  });
});

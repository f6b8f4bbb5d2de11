// The CoAP carrier's refusals over real UDP (RFC 7252, RFC 7959), with a dialect that echoes:
// what the fuzz suite found the library answering with 5.00, or not at all, or not to the
// client's address, is answered as the RFCs say.
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { after, before, describe, it } from 'node:test';
import {
  blockOption,
  type CoapMessage,
  coapOptions,
  coapTypes,
  encodeCoap,
  parseCoap,
  readUint,
  uriOptions,
} from '../../test-support/coap-raw.ts';
import { type CoapTransport, startCoap } from './coap-carrier.ts';
import type { CoapDialect } from './coap-dialect.ts';
import { maxRequestBytes } from './coap-server.ts';

const echo: CoapDialect = {
  name: 'echo',
  owns: (path) => path[0] === 'echo',
  handle: async (request) => ({
    code: request.method === 'POST' ? '2.04' : '2.05',
    payload: request.payload,
  }),
  attach() {},
  async detach() {},
};
const quiet = { info() {}, warn() {}, error() {} };

describe('the CoAP carrier, refusing', () => {
  let carrier: CoapTransport;
  let socket: Socket;
  let messageId = 100;
  before(async () => {
    carrier = await startCoap({ host: '127.0.0.1', port: 0, dialects: [echo], log: quiet });
    socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  });
  after(async () => {
    socket.close();
    await carrier.close();
  });

  /** Sends the bytes; resolves with what came back within `waitMs` (the first answer ends the wait). */
  function send(bytes: Buffer, waitMs = 1000): Promise<CoapMessage | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        socket.off('message', onMessage);
        resolve(undefined);
      }, waitMs);
      const onMessage = (answer: Buffer) => {
        clearTimeout(timer);
        socket.off('message', onMessage);
        resolve(parseCoap(answer));
      };
      socket.on('message', onMessage);
      socket.send(bytes, carrier.port, '127.0.0.1');
    });
  }
  const request = (code: string, options: { number: number; value: Buffer }[], payload?: Buffer) => {
    messageId += 1;
    return encodeCoap({
      type: coapTypes.con,
      code,
      messageId,
      token: Buffer.from([1, 2, 3]),
      options: [...uriOptions('/echo'), ...options],
      ...(payload && { payload }),
    });
  };

  it('resets a confirmable message that is malformed and drops the rest, instead of answering 5.00', async () => {
    // Token length 15 (RFC 7252 §3) in a confirmable GET: reset on its message id (§4.2).
    const reset = await send(Buffer.from([0x4f, 0x01, 0x12, 0x34]));
    assert.deepEqual([reset?.type, reset?.code, reset?.messageId], [coapTypes.rst, '0.00', 0x1234]);
    // A payload marker with no payload (§3), confirmable: reset too.
    const marker = await send(Buffer.concat([request('GET', []), Buffer.of(0xff)]));
    assert.deepEqual([marker?.type, marker?.messageId], [coapTypes.rst, messageId]);
    // Malformed and non-confirmable, version 2, shorter than a header: dropped (§4.3, §3).
    assert.equal(await send(Buffer.from([0x5f, 0x01, 0x00, 0x02]), 300), undefined);
    assert.equal(await send(Buffer.from([0x80, 0x01, 0x00, 0x03]), 300), undefined);
    assert.equal(await send(Buffer.from([0xff, 0x00]), 300), undefined);
    // Still serving.
    const answer = await send(request('GET', []));
    assert.equal(answer?.code, '2.05');
  });

  it('answers an unknown critical option 4.02 and a proxy option 5.05, on the ACK', async () => {
    const bad = await send(request('GET', [{ number: 65001, value: Buffer.from('x') }]));
    assert.equal(bad?.code, '4.02');
    assert.equal(bad?.type, coapTypes.ack);
    assert.equal(bad?.messageId, messageId);
    const proxied = await send(request('GET', [{ number: 35, value: Buffer.from('coap://elsewhere/') }]));
    assert.equal(proxied?.code, '5.05');
    // An unknown elective option is ignored (§5.4.1).
    const elective = await send(request('GET', [{ number: 65000, value: Buffer.from('x') }]));
    assert.equal(elective?.code, '2.05');
  });

  it('answers a Block1 body past the limit 4.13 with Size1, before putting it together', async () => {
    const blocks = maxRequestBytes / 1024;
    const answer = await send(
      request(
        'POST',
        [{ number: coapOptions.block1, value: blockOption(blocks, false, 6) }],
        Buffer.alloc(1024),
      ),
    );
    assert.equal(answer?.code, '4.13');
    assert.equal(
      readUint(answer!.options.find((o) => o.number === coapOptions.size1)!.value),
      maxRequestBytes,
    );
  });

  it('answers a last Block1 block without the ones before 4.08, and a Block1 option that is none 4.00', async () => {
    const incomplete = await send(
      request('POST', [{ number: coapOptions.block1, value: blockOption(3, false, 2) }], Buffer.alloc(64)),
    );
    assert.deepEqual(
      [incomplete?.code, incomplete?.type, incomplete?.messageId],
      ['4.08', coapTypes.ack, messageId],
    );
    // Size exponent 7 is reserved (RFC 7959 §2.2).
    const none = await send(
      request('POST', [{ number: coapOptions.block1, value: Buffer.of(0x0f) }], Buffer.alloc(8)),
    );
    assert.deepEqual([none?.code, none?.type], ['4.00', coapTypes.ack]);
  });

  it('ignores the Observe option of a POST (RFC 7641 §2) and serves the request', async () => {
    const answer = await send(
      request('POST', [{ number: coapOptions.observe, value: Buffer.alloc(0) }], Buffer.from('x')),
    );
    assert.equal(answer?.code, '2.04');
  });
});

// The CoAP carrier (RFC 7252) on UDP, built on node-coap: one socket on UPDRAFT_COAP_HOST and
// UPDRAFT_COAP_PORT that both answers devices (the library's Server) and sends requests to them
// (its Agent on the same socket, so that a device behind NAT gets them from the port it
// registered with). Requests go to the dialect that owns their path; the library does message
// de-duplication, retransmission, piggy-backed and separate responses and block-wise transfer
// (RFC 7959: Block1 reassembly and segmentation) but Block2 answers (coap-block2.ts). Its
// refusals are RFC 7252's where the library answers otherwise (coap-server.ts).
import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { Agent, type IncomingMessage, type OutgoingMessage } from 'coap';
import type { MqttLog } from '../mqtt/mqtt-dialect.ts';
import { matchExchangesByPeer } from './agent-peers.ts';
import { createBlock2Server } from './coap-block2.ts';
import type {
  CoapAnswer,
  CoapClient,
  CoapDialect,
  CoapIncoming,
  CoapPeer,
  CoapRequestOptions,
  CoapResult,
} from './coap-dialect.ts';
import { CarrierServer, refusalOfOptions } from './coap-server.ts';

export interface CoapTransport {
  port: number;
  /** coap://host:port, where devices register. */
  url: string;
  close(): Promise<void>;
}

// The library reports well-known Content-Format values by name.
const formatNumbers: Readonly<Record<string, number>> = {
  'text/plain': 0,
  'application/link-format': 40,
  'application/octet-stream': 42,
  'application/json': 50,
  'application/senml+json': 110,
  'application/senml+cbor': 112,
  'application/vnd.oma.lwm2m+tlv': 11542,
  'application/vnd.oma.lwm2m+json': 11543,
  'application/vnd.oma.lwm2m+cbor': 11544,
};

function formatOf(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return formatNumbers[value];
  return undefined;
}

function optionStrings(message: IncomingMessage, name: string): string[] {
  return (message._packet.options ?? [])
    .filter((o) => o.name === name)
    .map((o) => (Buffer.isBuffer(o.value) ? o.value.toString('utf8') : String(o.value)));
}

function incomingOf(message: IncomingMessage): CoapIncoming {
  return {
    method: message.method,
    path: optionStrings(message, 'Uri-Path'),
    query: optionStrings(message, 'Uri-Query'),
    payload: message.payload ?? Buffer.alloc(0),
    contentFormat: formatOf(message.headers['Content-Format']),
    peer: { address: message.rsinfo.address, port: message.rsinfo.port },
  };
}

function resultOf(message: IncomingMessage): CoapResult {
  return {
    code: message.code,
    payload: message.payload ?? Buffer.alloc(0),
    contentFormat: formatOf(message.headers['Content-Format']),
  };
}

function answer(
  blocks: ReturnType<typeof createBlock2Server>,
  message: IncomingMessage,
  res: OutgoingMessage,
  reply: CoapAnswer,
): void {
  res.code = reply.code;
  if (reply.locationPath)
    res.setOption(
      'Location-Path',
      reply.locationPath.map((p) => Buffer.from(p)),
    );
  // A payload past one block goes a block at a time (RFC 7959 §2.4) with ETag, and Size2 when the
  // device asks with Size2 0 (§4): coap-block2.ts.
  if (reply.code.startsWith('2.') && blocks.needsBlocks(message, res, reply.payload)) {
    blocks.answer(message, res, reply.payload!, reply.contentFormat);
    return;
  }
  if (reply.contentFormat !== undefined) res.setOption('Content-Format', reply.contentFormat);
  res.end(reply.payload);
}

/** A request to a device times out after this long (the library's own exchange lifetime is 247 s). */
const requestTimeoutMs = 60_000;

/**
 * The socket's receive buffer: thousands of devices downloading at once overflow Linux's default
 * (208 KiB, about a hundred datagrams) whenever the event loop pauses, and every datagram dropped
 * costs its device a retransmission 2 to 3 s later (RFC 7252 §4.2). The kernel caps it at
 * net.core.rmem_max.
 */
const receiveBufferBytes = 4 * 1024 * 1024;

function bind(host: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createSocket({
      type: isIPv6(host) ? 'udp6' : 'udp4',
      recvBufferSize: receiveBufferBytes,
    });
    const onError = (error: Error) => {
      socket.close();
      reject(error);
    };
    socket.once('error', onError);
    socket.bind(port, host, () => {
      socket.off('error', onError);
      resolve(socket);
    });
  });
}

export async function startCoap({
  host,
  port,
  dialects,
  log,
}: {
  host: string;
  port: number;
  dialects: readonly CoapDialect[];
  log: MqttLog;
}): Promise<CoapTransport> {
  const socket = await bind(host, port);
  // Answers leave piggy-backed on the ACK when ready within a second (below ACK_TIMEOUT, 2 s, so the
  // client has not retransmitted yet); a slower one gets an empty ACK and a separate response.
  const server = new CarrierServer({ piggybackReplyMs: 1000 });
  const blocks = createBlock2Server();
  server.listen(socket);
  const agent = new Agent({ socket });
  const exchanges = matchExchangesByPeer(agent);
  server.on('error', (error: Error) => log.warn({ err: error }, 'CoAP server error'));
  agent.on('error', (error: Error) => log.warn({ err: error }, 'CoAP client error'));
  server.on('request', (message: IncomingMessage, res: OutgoingMessage) => {
    const refusal = refusalOfOptions((message._packet.options ?? []).map((o) => String(o.name)));
    if (refusal) {
      answer(blocks, message, res, { code: refusal });
      return;
    }
    if (blocks.continueTransfer(message, res)) return;
    const request = incomingOf(message);
    const dialect = dialects.find((d) => d.owns(request.path));
    if (!dialect) {
      answer(blocks, message, res, { code: '4.04' });
      return;
    }
    // A fault of the dialect's own (a throw before its first await too) is the server's: 5.00.
    Promise.resolve()
      .then(() => dialect.handle(request))
      .then(
        (reply) => answer(blocks, message, res, reply),
        (error: unknown) => {
          log.error({ err: error, path: request.path.join('/') }, 'CoAP request failed');
          answer(blocks, message, res, { code: '5.00' });
        },
      );
  });

  // Requests in flight, failed at once when the carrier closes (instead of at their timeouts).
  const pending = new Set<(error: Error) => void>();
  let closed = false;

  const send = (peer: CoapPeer, options: CoapRequestOptions, observe: boolean) => {
    const req = agent.request({
      hostname: peer.address,
      port: peer.port,
      method: options.method,
      pathname: options.path,
      ...(options.query && options.query.length > 0 && { query: options.query.join('&') }),
      confirmable: true,
      ...(observe && { observe: true }),
    });
    exchanges.sentTo(req, peer.address, peer.port);
    if (options.contentFormat !== undefined) req.setOption('Content-Format', options.contentFormat);
    if (options.accept !== undefined) req.setOption('Accept', options.accept);
    // node-coap segments a request whose Block1 option holds the size exponent (RFC 7959 §2.5).
    if (options.block1Szx !== undefined) req.setOption('Block1', Buffer.of(options.block1Szx));
    return req;
  };

  const client: CoapClient = {
    request(peer, options) {
      return new Promise((resolve, reject) => {
        if (closed) return reject(new Error('the CoAP carrier is closed'));
        const req = send(peer, options, false);
        const fail = (error: Error) => {
          clearTimeout(timer);
          pending.delete(abort);
          reject(error);
        };
        const abort = (error: Error) => {
          agent.abort(req);
          fail(error);
        };
        const timer = setTimeout(
          () =>
            abort(
              new Error(`no answer from ${peer.address}:${peer.port} to ${options.method} ${options.path}`),
            ),
          requestTimeoutMs,
        );
        pending.add(abort);
        req.on('response', (res: IncomingMessage) => {
          clearTimeout(timer);
          pending.delete(abort);
          resolve(resultOf(res));
        });
        req.on('error', fail);
        req.on('timeout', fail);
        req.end(options.payload);
      });
    },
    observe(peer, path, onNotify) {
      return new Promise((resolve, reject) => {
        if (closed) return reject(new Error('the CoAP carrier is closed'));
        const req = send(peer, { method: 'GET', path }, true);
        const fail = (error: Error) => {
          clearTimeout(timer);
          pending.delete(abort);
          reject(error);
        };
        const abort = (error: Error) => {
          agent.abort(req);
          fail(error);
        };
        const timer = setTimeout(
          () => abort(new Error(`no answer from ${peer.address}:${peer.port} to observe ${path}`)),
          requestTimeoutMs,
        );
        pending.add(abort);
        req.on('response', (res: IncomingMessage & { close?: (eager?: boolean) => void }) => {
          clearTimeout(timer);
          pending.delete(abort);
          let first = true;
          const first$ = resultOf(res);
          // ObserveReadStream pushes the first answer's payload too: skip it.
          res.on('data', (payload: Buffer) => {
            if (first) {
              first = false;
              return;
            }
            onNotify({ ...resultOf(res), payload });
          });
          res.on('error', () => {});
          resolve({ first: first$, cancel: () => res.close?.(true) });
        });
        req.on('error', fail);
        req.on('timeout', fail);
        req.end();
      });
    },
  };

  const address = socket.address();
  for (const dialect of dialects) dialect.attach(client, address.port);
  const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  return {
    port: address.port,
    url: `coap://${isIPv6(shownHost) ? `[${shownHost}]` : shownHost}:${address.port}`,
    async close() {
      closed = true;
      for (const abort of [...pending]) abort(new Error('the CoAP carrier is closed'));
      for (const dialect of dialects) await dialect.detach();
      // With a socket of its own the agent calls back only when it closed that socket: not awaited.
      agent.close();
      server.close();
      blocks.close();
      await new Promise<void>((resolve) => socket.close(() => resolve()));
    },
  };
}

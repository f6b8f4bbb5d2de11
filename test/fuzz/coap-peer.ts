// One UDP socket speaking raw CoAP to the server, for the CoAP fuzz target: it sends any bytes
// and collects what comes back for them (every wait bounded), and answers the server's own
// requests (an LwM2M server reads and observes its clients) through a callback. Message ids are
// its own counter, so that the server's de-duplication (RFC 7252 §4.5) never replays an old
// answer to a new input.
import { createSocket, type Socket } from 'node:dgram';
import {
  type CoapMessage,
  type CoapOption,
  coapOptions,
  coapTypes,
  encodeCoap,
  optionTexts,
  parseCoap,
  uintOption,
} from '../../packages/server/src/test-support/coap-raw.ts';

/** What came back for one input: datagrams that parse, and the number that did not. */
export interface Answers {
  messages: CoapMessage[];
  unparsable: Buffer[];
}

/** A request of the server's, and how the peer answers it. */
export interface ServerRequest {
  method: string;
  path: string;
  observe: boolean;
  message: CoapMessage;
}
export interface PeerAnswer {
  code: string;
  payload?: Buffer;
  contentFormat?: number;
}

export interface CoapPeer {
  port: number;
  nextMessageId(): number;
  /** Sends `bytes`; resolves with every datagram received until `done` says so or `waitMs` passed. */
  exchange(bytes: Buffer, waitMs: number, done?: (answers: Answers) => boolean): Promise<Answers>;
  /** The server's requests seen so far. */
  readonly seen: ServerRequest[];
  /** Tokens of the server's observations, by path (`/5/0/3`). */
  readonly observations: Map<string, Buffer>;
  /**
   * A notification of an observed resource (RFC 7641 §4.2): a confirmable 2.05 on the
   * observation's token; resolves with the server's ACK or RST, or no answer within `waitMs`.
   */
  notify(path: string, payload: Buffer, contentFormat: number | undefined, waitMs: number): Promise<Answers>;
  close(): Promise<void>;
}

const methodNames: Record<string, string> = {
  '0.01': 'GET',
  '0.02': 'POST',
  '0.03': 'PUT',
  '0.04': 'DELETE',
};

export async function openCoapPeer(
  server: { address: string; port: number },
  answer: (request: ServerRequest) => PeerAnswer = () => ({ code: '4.04' }),
): Promise<CoapPeer> {
  const socket: Socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  let messageId = Math.floor(Math.random() * 0x10000);
  let observeSeq = 2;
  const seen: ServerRequest[] = [];
  const observations = new Map<string, Buffer>();
  const answered = new Map<number, Buffer>();
  let collecting: { answers: Answers; check: () => void } | undefined;

  socket.on('message', (bytes) => {
    let message: CoapMessage;
    try {
      message = parseCoap(bytes);
    } catch {
      collecting?.answers.unparsable.push(bytes);
      collecting?.check();
      return;
    }
    const isRequest = message.code.startsWith('0.') && message.code !== '0.00';
    if (!isRequest || message.type === coapTypes.ack || message.type === coapTypes.rst) {
      collecting?.answers.messages.push(message);
      // A separate response comes confirmable (§5.2.2): acknowledge it.
      if (message.type === coapTypes.con)
        socket.send(
          encodeCoap({ type: coapTypes.ack, code: '0.00', messageId: message.messageId }),
          server.port,
          server.address,
        );
      collecting?.check();
      return;
    }
    // The server's request: answered once per message id (a retransmission gets the same bytes).
    const again = answered.get(message.messageId);
    if (again) return void socket.send(again, server.port, server.address);
    const path = `/${optionTexts(message, coapOptions.uriPath).join('/')}`;
    const observeValue = message.options.find((o) => o.number === coapOptions.observe)?.value;
    const observe = observeValue !== undefined && (observeValue.length === 0 || observeValue[0] === 0);
    const request: ServerRequest = {
      method: methodNames[message.code] ?? message.code,
      path,
      observe,
      message,
    };
    seen.push(request);
    const reply = answer(request);
    const options: CoapOption[] = [];
    if (observe && reply.code.startsWith('2.')) {
      observations.set(path, message.token);
      options.push({ number: coapOptions.observe, value: uintOption(observeSeq++) });
    }
    if (reply.contentFormat !== undefined)
      options.push({ number: coapOptions.contentFormat, value: uintOption(reply.contentFormat) });
    const answerBytes = encodeCoap({
      type: message.type === coapTypes.con ? coapTypes.ack : coapTypes.non,
      code: reply.code,
      messageId: message.type === coapTypes.con ? message.messageId : nextMessageId(),
      token: message.token,
      options,
      ...(reply.payload && { payload: reply.payload }),
    });
    answered.set(message.messageId, answerBytes);
    if (answered.size > 500) answered.delete(answered.keys().next().value!);
    socket.send(answerBytes, server.port, server.address);
  });

  function nextMessageId() {
    messageId = (messageId + 1) & 0xffff;
    return messageId;
  }

  function exchange(bytes: Buffer, waitMs: number, done?: (answers: Answers) => boolean): Promise<Answers> {
    return new Promise((resolve) => {
      const answers: Answers = { messages: [], unparsable: [] };
      const finish = () => {
        clearTimeout(timer);
        collecting = undefined;
        resolve(answers);
      };
      const timer = setTimeout(finish, waitMs);
      collecting = { answers, check: () => done?.(answers) && finish() };
      socket.send(bytes, server.port, server.address);
    });
  }

  return {
    port: socket.address().port,
    nextMessageId,
    seen,
    observations,
    exchange,
    notify(path, payload, contentFormat, waitMs) {
      const token = observations.get(path) ?? Buffer.alloc(0);
      const id = nextMessageId();
      const bytes = encodeCoap({
        type: coapTypes.con,
        code: '2.05',
        messageId: id,
        token,
        options: [
          { number: coapOptions.observe, value: uintOption(observeSeq++) },
          ...(contentFormat === undefined
            ? []
            : [{ number: coapOptions.contentFormat, value: uintOption(contentFormat) }]),
        ],
        payload,
      });
      return exchange(bytes, waitMs, (answers) => answers.messages.some((m) => m.messageId === id));
    },
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

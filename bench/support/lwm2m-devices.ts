// The device side of `npm run bench -- lwm2m`, in a process of its own: every device in the file
// named by argv[2] is a light LwM2M 1.1 client (one UDP socket each, raw CoAP: coap-raw.ts) of
// the CoAP server at argv[3]:argv[4]. It registers signed, answers the server's reads and
// observations, and when a Package URI is written downloads it block by block (CoAP Block2,
// 1024-byte blocks, at most argv[5] devices downloading at once, as behind one uplink), checks its
// sha256, goes State 2, and on Update (/5/0/2) "installs" 2.0 and registers again. Tells the
// parent (IPC) when all are registered and read, and on request how far they are.
import { createHash } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import {
  contentFormats,
  formatObjectLinks,
  lwm2mRegistrationSignature,
  parsePackageUri,
} from '../../packages/protocol/src/index.ts';
import {
  blockOption,
  type CoapMessage,
  type CoapOption,
  coapOptions,
  coapTypes,
  encodeCoap,
  optionTexts,
  optionValue,
  parseBlock,
  parseCoap,
  uintOption,
  uriOptions,
} from '../../packages/server/src/test-support/coap-raw.ts';
import type { DeviceLogin } from './bench-fleet.ts';

const logins = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as DeviceLogin[];
const server = { address: process.argv[3]!, port: Number(process.argv[4]) };
const downloadSlots = Number(process.argv[5] ?? '256');
const send = (message: object) => process.send?.(message);

const stats = { registered: 0, downloaded: 0, installed: 0, retransmits: 0, blocks: 0, failed: 0 };

/** Download slots: a device waits for one before its first block (a fleet behind one uplink). */
const waiting: (() => void)[] = [];
let free = downloadSlots;
function takeSlot(): Promise<void> {
  if (free > 0) {
    free -= 1;
    return Promise.resolve();
  }
  return new Promise<void>((resolve) => waiting.push(resolve));
}
const giveSlot = () => {
  const next = waiting.shift();
  if (next) next();
  else free += 1;
};

const objects = formatObjectLinks([
  { objectId: 1, instanceId: 0 },
  { objectId: 3, instanceId: 0 },
  { objectId: 5, instanceId: 0 },
]);

interface Pending {
  /** The request's message id: a piggy-backed answer (ACK) carries it (RFC 7252 §5.2.1). */
  id: number;
  resolve(message: CoapMessage): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
  acked: boolean;
}

function startDevice(login: DeviceLogin) {
  const endpoint = `${login.productKey}.${login.name}`;
  const socket: Socket = createSocket({ type: 'udp4', recvBufferSize: 256 * 1024 });
  let messageId = Math.floor(Math.random() * 0x10000);
  let tokenCounter = 0;
  let observeSeq = 2;
  let lastTs = 0;
  const values = { version: '1.0', state: 0, result: 0 };
  const observations = new Map<string, Buffer>();
  const answered = new Map<number, Buffer>();
  /** Our requests by token, their message ids, and notifications waiting for their ACK. */
  const pending = new Map<string, Pending>();
  const requestIds = new Map<number, string>();
  const acks = new Map<number, () => void>();
  let observedResult: (() => void) | undefined;
  const nextId = () => (messageId = (messageId + 1) & 0xffff);
  const nextToken = () => Buffer.from((++tokenCounter).toString(16).padStart(8, '0'), 'hex');
  const out = (bytes: Buffer) => socket.send(bytes, server.port, server.address);

  /** A confirmable exchange (RFC 7252 §4.2): retransmitted at 2, 4, 8, 16 s until acknowledged. */
  function exchange(message: Parameters<typeof encodeCoap>[0] & { token: Buffer }): Promise<CoapMessage> {
    const id = nextId();
    const bytes = encodeCoap({ ...message, type: coapTypes.con, messageId: id });
    const key = message.token.toString('hex');
    return new Promise((resolve, reject) => {
      let attempt = 0;
      const entry: Pending = {
        id,
        resolve,
        reject,
        acked: false,
        timer: undefined as unknown as NodeJS.Timeout,
      };
      const arm = () => {
        entry.timer = setTimeout(
          () => {
            if (entry.acked) {
              // Acknowledged: the separate answer comes within the exchange's lifetime or never.
              entry.timer = setTimeout(() => {
                pending.delete(key);
                reject(new Error(`${endpoint}: no separate answer to ${message.code}`));
              }, 30_000);
              return;
            }
            if (++attempt > 4) {
              pending.delete(key);
              reject(new Error(`${endpoint}: no answer to ${message.code}`));
              return;
            }
            stats.retransmits++;
            out(bytes);
            arm();
          },
          2000 * 2 ** attempt * (1 + Math.random() * 0.5),
        );
      };
      pending.set(key, entry);
      requestIds.set(id, key);
      if (requestIds.size > 64) requestIds.delete(requestIds.keys().next().value!);
      arm();
      out(bytes);
    });
  }

  /** A confirmable notification (RFC 7641 §4.5), sent again at 2, 4, 8 and 16 s until acknowledged. */
  async function notify(path: string, value: number) {
    const token = observations.get(path);
    if (!token) return;
    const id = nextId();
    const bytes = encodeCoap({
      type: coapTypes.con,
      code: '2.05',
      messageId: id,
      token,
      options: [
        { number: coapOptions.observe, value: uintOption(observeSeq++) },
        { number: coapOptions.contentFormat, value: uintOption(contentFormats.text) },
      ],
      payload: Buffer.from(String(value)),
    });
    // RFC 7252 §4.8: MAX_RETRANSMIT 4.
    for (let attempt = 0; attempt < 5; attempt++) {
      const acked = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(
          () => {
            acks.delete(id);
            resolve(false);
          },
          2000 * 2 ** attempt,
        );
        acks.set(id, () => {
          clearTimeout(timer);
          acks.delete(id);
          resolve(true);
        });
        out(bytes);
      });
      if (acked) return;
      stats.retransmits++;
    }
    console.error(`${endpoint}: the notification ${path} ${value} was never acknowledged`);
  }

  async function register() {
    const ts = Math.max(Math.floor(Date.now() / 1000), lastTs + 1);
    lastTs = ts;
    const sig = lwm2mRegistrationSignature(login.secret, endpoint, ts);
    const observed = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${endpoint}: not read within 120 s of Register`)),
        120_000,
      );
      observedResult = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    observed.catch(() => {});
    const answer = await exchange({
      code: 'POST',
      token: nextToken(),
      options: [
        ...uriOptions('/rd', [`ep=${endpoint}`, 'lt=86400', 'lwm2m=1.1', 'b=U', `ts=${ts}`, `sig=${sig}`]),
        { number: coapOptions.contentFormat, value: uintOption(contentFormats.linkFormat) },
      ],
      payload: Buffer.from(objects),
    });
    if (answer.code !== '2.01') throw new Error(`${endpoint}: Register answered ${answer.code}`);
    // The server's reads end with the observation of Update Result (/5/0/5).
    await observed;
  }

  async function download(uri: string) {
    // Downloading from the write on (§E.6), though the transfer waits for one of the slots.
    values.state = 1;
    await notify('/5/0/3', 1);
    await takeSlot();
    try {
      const facts = parsePackageUri(uri);
      const url = new URL(uri);
      const token = nextToken();
      const blocks: Buffer[] = [];
      for (let num = 0; ; num++) {
        const answer = await exchange({
          code: 'GET',
          token,
          options: [
            ...uriOptions(url.pathname),
            { number: coapOptions.block2, value: blockOption(num, false, 6) },
          ],
        });
        if (answer.code !== '2.05') throw new Error(`${endpoint}: block ${num} answered ${answer.code}`);
        stats.blocks++;
        blocks.push(answer.payload);
        const block = optionValue(answer, coapOptions.block2);
        if (block && parseBlock(block).num !== num)
          throw new Error(`${endpoint}: block ${num} answered with another`);
        if (!block || !parseBlock(block).more) break;
      }
      const image = Buffer.concat(blocks);
      if (facts && createHash('sha256').update(image).digest('hex') !== facts.sha256)
        throw new Error(`${endpoint}: the package does not match its sha256`);
      stats.downloaded++;
      values.state = 2;
      await notify('/5/0/3', 2);
    } catch (error) {
      stats.failed++;
      values.state = 0;
      values.result = 4;
      await notify('/5/0/5', 4);
      console.error(String(error));
    } finally {
      giveSlot();
    }
  }

  async function install() {
    values.state = 3;
    await notify('/5/0/3', 3);
    // The reboot: a new image, a new registration whose reads find 2.0 and Update Result 1.
    values.version = '2.0';
    values.state = 0;
    values.result = 1;
    observations.clear();
    // A client registers again until it is registered and read (a loaded server may be slow).
    for (let attempt = 1; ; attempt++) {
      try {
        await register();
        break;
      } catch (error) {
        if (attempt === 5) throw error;
        console.error(`${String(error)}; registering again`);
      }
    }
    stats.installed++;
  }

  function answerServer(request: CoapMessage): {
    code: string;
    payload?: Buffer;
    format?: number;
    observe?: boolean;
  } {
    const path = `/${optionTexts(request, coapOptions.uriPath).join('/')}`;
    const method = request.code;
    const text = (value: string | number) => ({
      code: '2.05',
      payload: Buffer.from(String(value)),
      format: contentFormats.text,
    });
    if (method === '0.01') {
      const observe = optionValue(request, coapOptions.observe);
      if (observe !== undefined && (observe.length === 0 || observe[0] === 0)) {
        observations.set(path, request.token);
        if (path === '/5/0/5') setImmediate(() => observedResult?.());
        return { ...text(path === '/5/0/3' ? values.state : values.result), observe: true };
      }
      switch (path) {
        case '/3/0/3':
          return text(values.version);
        case '/3/0/9':
          return text(90);
        case '/5/0/9':
          return text(0);
        case '/5/0/3':
          return text(values.state);
        case '/5/0/5':
          return text(values.result);
        case '/5/0/8':
          return { code: '2.05', payload: Buffer.of(0x88, 8, 3, 0x41, 0, 0), format: contentFormats.tlv };
        default:
          return { code: '4.04' };
      }
    }
    if (method === '0.03' && path === '/5/0/1') {
      const uri = request.payload.toString('utf8');
      // A write while downloading does not start a second download.
      if (uri !== '' && values.state === 0) setImmediate(() => void download(uri));
      return { code: '2.04' };
    }
    if (method === '0.02' && path === '/5/0/2') {
      if (values.state !== 2) return { code: '4.05' };
      setImmediate(() => void install().catch((error: unknown) => console.error(String(error))));
      return { code: '2.04' };
    }
    if (method === '0.02' && path === '/5/0/10') return { code: '2.04' };
    return { code: '4.05' };
  }

  socket.on('message', (bytes) => {
    let message: CoapMessage;
    try {
      message = parseCoap(bytes);
    } catch {
      return;
    }
    const isRequest = message.code.startsWith('0.') && message.code !== '0.00';
    if (isRequest && (message.type === coapTypes.con || message.type === coapTypes.non)) {
      const again = answered.get(message.messageId);
      if (again) return void out(again);
      const reply = answerServer(message);
      const options: CoapOption[] = [];
      if (reply.observe) options.push({ number: coapOptions.observe, value: uintOption(observeSeq++) });
      if (reply.format !== undefined)
        options.push({ number: coapOptions.contentFormat, value: uintOption(reply.format) });
      const answer = encodeCoap({
        type: coapTypes.ack,
        code: reply.code,
        messageId: message.messageId,
        token: message.token,
        options,
        ...(reply.payload && { payload: reply.payload }),
      });
      answered.set(message.messageId, answer);
      if (answered.size > 64) answered.delete(answered.keys().next().value!);
      out(answer);
      return;
    }
    // An acknowledgement of a notification, or an answer to one of our requests.
    if (message.code === '0.00' && (message.type === coapTypes.ack || message.type === coapTypes.rst)) {
      acks.get(message.messageId)?.();
      // An empty ACK of a request: the answer follows separately (§5.2.2); stop retransmitting.
      const key = requestIds.get(message.messageId);
      const entry = key === undefined ? undefined : pending.get(key);
      if (entry) entry.acked = true;
      return;
    }
    const key = message.token.toString('hex');
    const entry = pending.get(key);
    if (message.type === coapTypes.con)
      out(encodeCoap({ type: coapTypes.ack, code: '0.00', messageId: message.messageId }));
    // A download reuses its token block after block: an ACK answering an earlier block's request
    // (a retransmission answered twice) is not this request's answer.
    if (!entry || (message.type === coapTypes.ack && message.messageId !== entry.id)) return;
    clearTimeout(entry.timer);
    pending.delete(key);
    entry.resolve(message);
  });

  return {
    async start() {
      await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
      await register();
    },
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

const devices: ReturnType<typeof startDevice>[] = [];
const started = performance.now();
let next = 0;
// A few hundred registrations in flight at a time, as the MQTT benches connect.
async function registerWorker(): Promise<void> {
  while (next < logins.length) {
    const device = startDevice(logins[next++]!);
    await device.start();
    devices.push(device);
    stats.registered++;
  }
}
await Promise.all(Array.from({ length: 200 }, registerWorker));
send({
  type: 'ready',
  registerSeconds: (performance.now() - started) / 1000,
  rssMb: process.memoryUsage.rss() / 2 ** 20,
});

// The bench gone (killed, or crashed), its devices go too instead of loading the machine.
process.on('disconnect', () => process.exit(1));
process.on('message', async (message: { type: 'stats' | 'close' }) => {
  if (message.type === 'stats') {
    send({ type: 'stats', ...stats });
    return;
  }
  await Promise.all(devices.map((d) => d.close().catch(() => {})));
  send({ type: 'closed', rssMb: process.resourceUsage().maxRSS / 1024 });
  setTimeout(() => process.exit(0), 100).unref();
});

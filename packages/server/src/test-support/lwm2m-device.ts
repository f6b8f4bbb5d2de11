// A test LwM2M client over real UDP, written from the specification (OMA-TS-LightweightM2M-V1_1
// §6.2 registration, Object 5 of protocols.md §4), on node-coap like the server: one socket that
// sends Register/Update/De-register and downloads (the library's Agent) and answers the server's
// Read, Write, Execute and Observe (its Server). It keeps /3/0/3, /3/0/9, /4/0/2 and Object 5's
// resources; a test drives its State and Update Result or lets it download and install by itself.
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { contentFormats, formatObjectLinks, lwm2mRegistrationSignature } from '@updraft/protocol';
import { Agent, type IncomingMessage, type OutgoingMessage, Server } from 'coap';

export interface Lwm2mDeviceOptions {
  server: { address: string; port: number };
  endpoint: string;
  /** The device secret: Register is signed (docs/lwm2m.md) unless null. */
  secret: string | null;
  version: string;
  lifetime?: number;
  binding?: string;
  lwm2mVersion?: string;
  /** /5/0/9: 0 pull only, 1 push only, 2 both. */
  deliveryMethod?: number;
  /** /5/0/8: 0 CoAP, 2 HTTP… */
  protocols?: number[];
  battery?: number;
  signal?: number;
  /** Pull: download the Package URI as soon as it is written, going State 1 then 2. */
  autoDownload?: boolean;
  /** Execute /5/0/2: install (the package's version becomes /3/0/3), then register again. */
  installs?: string | null;
  /** Seconds since the epoch for the signature (the server's clock). */
  now?: () => number;
  /** A notification this says is lost never reaches the server (its retransmissions all lost too). */
  loses?: (path: string, value: number) => boolean;
  /** After an install, register again (the reboot); false: the registration before it stays. */
  registersAfterInstall?: boolean;
}

type Waiter<T> = { test: (value: T) => boolean; resolve: (value: T) => void };

export interface Lwm2mWrite {
  path: string;
  payload: Buffer;
}

export async function startLwm2mDevice(options: Lwm2mDeviceOptions) {
  const socket: Socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const server = new Server();
  server.listen(socket);
  const agent = new Agent({ socket });
  const values = {
    version: options.version,
    state: 0,
    result: 0,
    uri: '',
    pkg: Buffer.alloc(0) as Buffer,
  };
  let location: string | undefined;
  const writes: Lwm2mWrite[] = [];
  const writeWaiters: Waiter<Lwm2mWrite>[] = [];
  const observers = new Map<string, OutgoingMessage[]>();

  const recordWrite = (write: Lwm2mWrite) => {
    writes.push(write);
    for (const waiter of writeWaiters.splice(0)) {
      if (waiter.test(write)) waiter.resolve(write);
      else writeWaiters.push(waiter);
    }
  };

  function text(res: OutgoingMessage, value: string | number) {
    res.setOption('Content-Format', contentFormats.text);
    res.end(Buffer.from(String(value)));
  }

  function notify(path: string, value: number) {
    if (options.loses?.(path, value)) return;
    for (const res of observers.get(path) ?? []) res.write(Buffer.from(String(value)));
  }

  async function setState(state: number) {
    values.state = state;
    notify('/5/0/3', state);
  }
  async function setResult(result: number) {
    values.result = result;
    notify('/5/0/5', result);
  }

  function request(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    query: string[],
    payload?: Buffer,
  ) {
    return new Promise<IncomingMessage>((resolve, reject) => {
      const req = agent.request({
        hostname: options.server.address,
        port: options.server.port,
        method,
        pathname: path,
        ...(query.length > 0 && { query: query.join('&') }),
      });
      if (payload) req.setOption('Content-Format', contentFormats.linkFormat);
      req.on('response', resolve);
      req.on('error', reject);
      req.on('timeout', reject);
      req.end(payload);
    });
  }

  // `ts` increases from one Register to the next (docs/lwm2m.md): twice in a second takes the last + 1.
  let lastTs = 0;
  async function register(extra: string[] = []): Promise<string> {
    const ts = Math.max(Math.floor((options.now?.() ?? Date.now()) / 1000), lastTs + 1);
    lastTs = ts;
    const query = [
      `ep=${options.endpoint}`,
      `lt=${options.lifetime ?? 300}`,
      `lwm2m=${options.lwm2mVersion ?? '1.1'}`,
      `b=${options.binding ?? 'U'}`,
      ...(options.secret === null
        ? []
        : [`ts=${ts}`, `sig=${lwm2mRegistrationSignature(options.secret, options.endpoint, ts)}`]),
      ...extra,
    ];
    const links = formatObjectLinks([
      { objectId: 1, instanceId: 0 },
      { objectId: 3, instanceId: 0 },
      { objectId: 4, instanceId: 0 },
      { objectId: 5, instanceId: 0 },
    ]);
    const res = await request('POST', '/rd', query, Buffer.from(links));
    if (res.code !== '2.01') throw new Error(`register: ${res.code} ${res.payload.toString()}`);
    const paths = ((res as unknown as { options: { name: string; value: unknown }[] }).options ?? [])
      .filter((o) => o.name === 'Location-Path')
      .map((o) => String(o.value));
    location = `/${paths.join('/')}`;
    return location;
  }

  /** GETs a URL of Updraft's CoAP download, block by block (the library asks for each next block). */
  async function download(url: string): Promise<{ code: string; payload: Buffer; size2?: number }> {
    const target = new URL(url);
    return new Promise((resolve, reject) => {
      const req = agent.request({
        hostname: target.hostname,
        port: Number(target.port),
        method: 'GET',
        pathname: target.pathname,
      });
      req.setOption('Size2', 0);
      req.on('response', (res: IncomingMessage) => resolve({ code: res.code, payload: res.payload }));
      req.on('error', reject);
      req.on('timeout', reject);
      req.end();
    });
  }

  async function pull(uri: string) {
    await setResult(0);
    await setState(1);
    const got = await download(uri).catch(() => undefined);
    if (got?.code !== '2.05') {
      await setState(0);
      await setResult(got ? 7 : 4);
      return;
    }
    values.pkg = got.payload;
    await setState(2);
  }

  server.on('request', (req: IncomingMessage, res: OutgoingMessage) => {
    const path = req.url.split('?')[0]!;
    const observing = req.headers.Observe === 0;
    if (req.method === 'GET') {
      if (observing) {
        const list = observers.get(path) ?? [];
        list.push(res);
        observers.set(path, list);
        res.on('finish', () =>
          observers.set(
            path,
            (observers.get(path) ?? []).filter((r) => r !== res),
          ),
        );
        res.setOption('Content-Format', contentFormats.text);
        res.write(Buffer.from(String(path === '/5/0/3' ? values.state : values.result)));
        return;
      }
      switch (path) {
        case '/3/0/3':
          return text(res, values.version);
        case '/3/0/9':
          return text(res, options.battery ?? 90);
        case '/4/0/2':
          return text(res, options.signal ?? -70);
        case '/5/0/3':
          return text(res, values.state);
        case '/5/0/5':
          return text(res, values.result);
        case '/5/0/9':
          return text(res, options.deliveryMethod ?? 2);
        case '/5/0/8': {
          // A multiple resource: TLV (§7.4.3), one resource instance per protocol.
          const instances = (options.protocols ?? [0]).map((p, i) => Buffer.of(0x41, i, p));
          const body = Buffer.concat(instances);
          res.setOption('Content-Format', contentFormats.tlv);
          return res.end(Buffer.concat([Buffer.of(0x88, 8, body.length), body]));
        }
        default:
          res.code = '4.04';
          return res.end();
      }
    }
    if (req.method === 'PUT' && path === '/5/0/1') {
      values.uri = req.payload.toString('utf8');
      recordWrite({ path, payload: req.payload });
      res.code = '2.04';
      res.end();
      if (values.uri === '') {
        void setState(0).then(() => setResult(0));
      } else if (options.autoDownload) void pull(values.uri);
      return;
    }
    if (req.method === 'PUT' && path === '/5/0/0') {
      values.pkg = req.payload;
      recordWrite({ path, payload: req.payload });
      res.code = '2.04';
      res.end();
      if (req.payload.length > 1 || req.payload[0] !== 0) void setState(2);
      return;
    }
    if (req.method === 'POST' && path === '/5/0/2') {
      if (values.state !== 2) {
        res.code = '4.05';
        return res.end();
      }
      recordWrite({ path, payload: Buffer.alloc(0) });
      res.code = '2.04';
      res.end();
      if (options.installs !== null && options.installs !== undefined) {
        const next = options.installs;
        void (async () => {
          await setState(3);
          // The reboot: a new image, a new registration.
          values.version = next;
          values.state = 0;
          values.result = 1;
          if (options.registersAfterInstall === false) return void (await setState(0));
          observers.clear();
          await register();
        })();
      }
      return;
    }
    if (req.method === 'POST' && path === '/5/0/10') {
      recordWrite({ path, payload: Buffer.alloc(0) });
      res.code = '2.04';
      res.end();
      void setState(0).then(() => setResult(10));
      return;
    }
    res.code = '4.05';
    res.end();
  });

  return {
    endpoint: options.endpoint,
    values,
    writes,
    register,
    setState,
    setResult,
    download,
    /** The first write (or execute) of the server from index `after` on that passes `test`, waiting for it. */
    nextWrite(test: (write: Lwm2mWrite) => boolean, after = 0): Promise<Lwm2mWrite> {
      const seen = writes.slice(after).find(test);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) => writeWaiters.push({ test, resolve }));
    },
    async update(query: string[] = []) {
      const res = await request('POST', location!, query);
      return res.code;
    },
    async deregister() {
      const res = await request('DELETE', location!, []);
      return res.code;
    },
    get location() {
      return location;
    },
    async close() {
      observers.clear();
      agent.close();
      server.close();
      socket.close();
      await once(socket, 'close').catch(() => {});
    },
  };
}

export type Lwm2mDevice = Awaited<ReturnType<typeof startLwm2mDevice>>;

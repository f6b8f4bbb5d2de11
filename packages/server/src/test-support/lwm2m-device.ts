// A test LwM2M client over real UDP, written from the specification (OMA-TS-LightweightM2M-V1_1
// §6.2 registration, Object 5 of protocols.md §4), on node-coap like the server: one socket that
// sends Register/Update/De-register and downloads (the library's Agent) and answers the server's
// Read, Write, Execute and Observe (its Server). It keeps /3/0/3, /3/0/9, /4/0/2 and Object 5's
// resources (and, as an Object 5 v1.1 client, Severity /5/0/11 and Maximum Defer Period /5/0/13);
// a test drives its State and Update Result or lets it download and install by itself, defer at
// Update, and answer in plain text (TLV for /5/0/8) or SenML CBOR.
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { contentFormats, formatObjectLinks, lwm2mRegistrationSignature } from '@updraft/protocol';
import { Agent, type IncomingMessage, type OutgoingMessage, Server } from 'coap';
import type { Lwm2mDeviceOptions } from './lwm2m-device-options.ts';
import { createReads } from './lwm2m-device-reads.ts';

export type { Lwm2mDeviceOptions } from './lwm2m-device-options.ts';

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
    /** /5/0/11 and /5/0/13 as the server wrote them (Object 5 v1.1). */
    severity: undefined as number | undefined,
    maxDeferPeriod: undefined as number | undefined,
  };
  let location: string | undefined;
  const writes: Lwm2mWrite[] = [];
  const writeWaiters: Waiter<Lwm2mWrite>[] = [];
  const reads = createReads(options, values);

  const recordWrite = (write: Lwm2mWrite) => {
    writes.push(write);
    for (const waiter of writeWaiters.splice(0)) {
      if (waiter.test(write)) waiter.resolve(write);
      else writeWaiters.push(waiter);
    }
  };

  async function setState(state: number) {
    values.state = state;
    reads.notify('/5/0/3', state);
  }
  async function setResult(result: number) {
    values.result = result;
    reads.notify('/5/0/5', result);
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
      ...(options.object5Version === '1.1' ? [{ objectId: 5, instanceId: undefined, version: '1.1' }] : []),
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
    if (req.method === 'GET') return reads.answer(path, req.headers.Observe === 0, res);
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
    if (req.method === 'PUT' && (path === '/5/0/11' || path === '/5/0/13')) {
      // Object 5 v1.1 resources; a 1.0 client has no such resource.
      if (options.object5Version !== '1.1') {
        res.code = '4.04';
        return res.end();
      }
      const value = Number(req.payload.toString('utf8'));
      if (path === '/5/0/11') values.severity = value;
      else values.maxDeferPeriod = value;
      recordWrite({ path, payload: req.payload });
      res.code = '2.04';
      return res.end();
    }
    if (req.method === 'POST' && path === '/5/0/2') {
      if (values.state !== 2) {
        res.code = '4.05';
        return res.end();
      }
      recordWrite({ path, payload: Buffer.alloc(0) });
      res.code = '2.04';
      res.end();
      // The user puts the install off: State stays 2 Downloaded with Update Result 11 (§E.6).
      if (options.defers) return void setResult(11);
      if (options.installs !== null && options.installs !== undefined) {
        const next = options.installs;
        void (async () => {
          await setState(3);
          // The reboot: a new image, a new registration.
          values.version = next;
          values.state = 0;
          values.result = 1;
          if (options.registersAfterInstall === false) return void (await setState(0));
          reads.forget();
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
      reads.forget();
      agent.close();
      server.close();
      socket.close();
      await once(socket, 'close').catch(() => {});
    },
  };
}

export type Lwm2mDevice = Awaited<ReturnType<typeof startLwm2mDevice>>;

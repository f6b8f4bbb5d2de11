// Uploads over a real socket, where the wire matters: streaming a large file, refusing an
// oversize one before the client has finished sending, and a client that vanishes mid-body.
import assert from 'node:assert/strict';
import { type ChildProcess, fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTestApp, type TestApp } from '../../../test-support/test-app.ts';
import { skipReason } from '../../../test-support/test-database.ts';
import { startTestS3Server, type TestS3Server } from '../../../test-support/test-s3-server.ts';

const skip = (await skipReason()) ?? false;
const mib = 1024 * 1024;
const boundary = 'updraft-socket-boundary';
const chunkSize = 64 * 1024;

/** Deterministic pseudo-random bytes (xorshift32), one chunk at a time. */
function* seededChunks(total: number, seed = 0x2545f491): Generator<Buffer> {
  let x = seed;
  for (let sent = 0; sent < total; sent += chunkSize) {
    const chunk = Buffer.allocUnsafe(Math.min(chunkSize, total - sent));
    for (let i = 0; i + 4 <= chunk.length; i += 4) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      chunk.writeUInt32LE(x >>> 0, i);
    }
    chunk.fill(7, chunk.length - (chunk.length % 4));
    yield chunk;
  }
}

function framing(version: string, fileName: string) {
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="version"\r\n\r\n${version}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\n` +
      'Content-Type: application/octet-stream\r\n\r\n',
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return { head, tail };
}

interface Sent {
  response: Promise<{ status: number; body: string }>;
  /** Bytes written when the response headers arrived. */
  sentAtResponse: () => number | undefined;
  done: Promise<{ sent: number; sha256: string }>;
  destroy(): void;
}

/** Streams a one-file upload of `fileBytes` seeded bytes; stops early after `stopAfter` if given. */
function sendUpload(
  port: number,
  authorization: string,
  url: string,
  version: string,
  fileBytes: number,
  stopAfter?: number,
): Sent {
  const { head, tail } = framing(version, 'big.bin');
  const req = httpRequest({
    host: '127.0.0.1',
    port,
    method: 'POST',
    path: url,
    headers: {
      authorization,
      'content-type': `multipart/form-data; boundary=${boundary}`,
      'content-length': head.length + fileBytes + tail.length,
    },
  });
  let sent = 0;
  let answeredAt: number | undefined;
  let answered = false;
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.on('response', (res: IncomingMessage) => {
      answeredAt = sent;
      answered = true;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
  });
  const write = (chunk: Buffer) =>
    new Promise<void>((resolve) => {
      if (req.destroyed || answered) return resolve();
      sent += chunk.length;
      if (req.write(chunk)) resolve();
      else {
        const go = () => {
          req.off('close', go);
          req.off('drain', go);
          resolve();
        };
        req.once('drain', go);
        req.once('close', go);
      }
    });
  const done = (async () => {
    const hash = createHash('sha256');
    await write(head);
    let fileSent = 0;
    for (const chunk of seededChunks(fileBytes)) {
      if (req.destroyed || answered || (stopAfter !== undefined && fileSent >= stopAfter)) break;
      hash.update(chunk);
      fileSent += chunk.length;
      await write(chunk);
    }
    if (fileSent === fileBytes && !answered) {
      await write(tail);
      req.end();
    }
    return { sent, sha256: hash.digest('hex') };
  })();
  return { response, sentAtResponse: () => answeredAt, done, destroy: () => req.destroy() };
}

const portOf = (t: TestApp) => (t.app.http.server.address() as AddressInfo).port;

describe('firmware upload over a socket', { skip }, () => {
  let t: TestApp;
  let small: TestApp;
  let productId: number;
  let smallProductId: number;
  let auth: string;
  let smallAuth: string;
  const keyOf = async (app: TestApp) =>
    `Bearer ${(await app.app.services.accounts.createApiKey(null, { name: 'socket', role: 'operator' })).secret}`;

  const entries = (dir: string) => (existsSync(dir) ? readdirSync(dir, { recursive: true }).map(String) : []);
  const blobs = (app: TestApp) => entries(app.app.config.firmwareDir).filter((p) => /[0-9a-f]{64}$/.test(p));
  const temps = (app: TestApp) => entries(join(app.app.config.firmwareDir, '.tmp'));

  async function waitFor(check: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
    const until = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > until) throw new Error('condition not met in time');
      await sleep(20);
    }
  }

  before(async () => {
    t = await createTestApp();
    small = await createTestApp({ firmwareMaxFileBytes: mib });
    auth = await keyOf(t);
    smallAuth = await keyOf(small);
    for (const app of [t, small]) await app.app.http.listen({ port: 0, host: '127.0.0.1' });
    productId = (await t.admin.post('/api/v1/products', { name: 'Big' })).json().id;
    smallProductId = (await small.admin.post('/api/v1/products', { name: 'Small' })).json().id;
  });
  after(async () => {
    await t?.close();
    await small?.close();
  });

  it('streams a 50 MB file to disk with the sha256 the client computed, in flat memory', async (ctx) => {
    const size = 50 * mib;
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 10);
    const upload = sendUpload(portOf(t), auth, `/api/v1/products/${productId}/firmware`, '50.0.0', size);
    const [{ status, body }, { sha256 }] = await Promise.all([upload.response, upload.done]);
    clearInterval(sampler);
    assert.equal(status, 201, body);
    const pkg = JSON.parse(body);
    assert.equal(pkg.files[0].size, size);
    assert.equal(pkg.files[0].sha256, sha256);
    const growth = (peak - baseline) / mib;
    ctx.diagnostic(`peak RSS growth during the 50 MB upload: ${growth.toFixed(1)} MiB`);
    // Reported, not asserted: client and server share this process, and their short-lived
    // 64 KiB buffers lift RSS by a roughly constant ~70 MiB whatever the file size (measured
    // 69 MiB at 50 MB and 71 MiB at 150 MB). The bound is asserted below, on a server that has
    // a process of its own.
    const download = createHash('sha256');
    const res = await fetch(
      `http://127.0.0.1:${(t.app.http.server.address() as AddressInfo).port}/api/v1/firmware/${pkg.id}/files/1`,
      {
        headers: { authorization: auth },
      },
    );
    for await (const chunk of res.body!) download.update(chunk);
    assert.equal(download.digest('hex'), sha256);
    assert.deepEqual(temps(t), []);
  });

  it('answers 413 for an oversize file long before the client has sent it all', async () => {
    const total = 64 * mib;
    const upload = sendUpload(
      portOf(small),
      smallAuth,
      `/api/v1/products/${smallProductId}/firmware`,
      '1.0.0',
      total,
    );
    const { status, body } = await upload.response;
    upload.destroy();
    await upload.done;
    assert.equal(status, 413, body);
    assert.equal(JSON.parse(body).code, 'FIRMWARE_FILE_TOO_LARGE');
    const sentAt = upload.sentAtResponse()!;
    assert.ok(sentAt < 16 * mib, `the answer came after ${(sentAt / mib).toFixed(1)} MiB of ${total / mib}`);
    await waitFor(() => temps(small).length === 0);
    assert.deepEqual(blobs(small), []);
    assert.equal((await small.admin.get('/api/v1/firmware')).json().items.length, 0);
  });

  it('leaves no row and no file when the client vanishes halfway through a file', async () => {
    const upload = sendUpload(
      portOf(t),
      auth,
      `/api/v1/products/${productId}/firmware`,
      '2.0.0',
      8 * mib,
      4 * mib,
    );
    upload.response.catch(() => {});
    await upload.done;
    await waitFor(() => temps(t).length > 0);
    const blobsBefore = blobs(t).length;
    upload.destroy();
    await waitFor(() => temps(t).length === 0);
    assert.equal(blobs(t).length, blobsBefore);
    const list = (await t.admin.get(`/api/v1/firmware?productId=${productId}&version=2.0.0`)).json();
    assert.deepEqual(list.items, []);
  });
});

for (const store of ['fs', 's3'] as const) {
  describe(`firmware upload memory, the server in a process of its own (${store} store)`, { skip }, () => {
    let child: ChildProcess;
    let s3: TestS3Server | undefined;
    let ready: { port: number; authorization: string; productId: number };
    /** Sends `cmd` (unless empty) and waits for the child's message named `reply`. */
    const ask = <T>(cmd: string, reply: string) =>
      new Promise<T>((resolve, reject) => {
        const onMessage = (message: { cmd: string }) => {
          if (message.cmd !== reply) return;
          child.off('message', onMessage);
          child.off('exit', onExit);
          resolve(message as T);
        };
        const onExit = (code: number | null) => reject(new Error(`the server process exited with ${code}`));
        child.on('message', onMessage);
        child.once('exit', onExit);
        if (cmd) child.send({ cmd });
      });

    before(async () => {
      const settings: Record<string, unknown> = { firmwareMaxFileBytes: 200 * mib };
      const env: Record<string, string> = {};
      if (store === 's3') {
        s3 = await startTestS3Server();
        Object.assign(settings, {
          firmwareStore: 's3',
          s3Endpoint: s3.endpoint,
          s3Region: s3.region,
          s3Bucket: s3.bucket,
          s3PathStyle: true,
        });
        env['AWS_ACCESS_KEY_ID'] = s3.credentials.accessKeyId;
        env['AWS_SECRET_ACCESS_KEY'] = s3.credentials.secretAccessKey;
      }
      // The child builds its app through createTestApp, so it uses this pass's database.
      child = fork(join(import.meta.dirname, '../../../test-support/upload-server-child.ts'), [], {
        // A young generation of fixed size: V8 sizes it from the machine's memory, and its garbage
        // (the socket's 64 KiB chunks, collected in batches) is most of what RSS shows here; with
        // the default it alone is up to ~50 MiB. A server that held the file would still grow by 100.
        execArgv: ['--expose-gc', '--max-semi-space-size=8'],
        env: { ...process.env, ...env, UPDRAFT_CHILD_SETTINGS: JSON.stringify(settings) },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      ready = await ask('', 'ready');
    });
    after(async () => {
      if (child && child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.send({ cmd: 'close' });
        await exited;
      }
      await s3?.close();
    });

    const upload = async (version: string, size: number) => {
      const url = `/api/v1/products/${ready.productId}/firmware`;
      const sent = sendUpload(ready.port, ready.authorization, url, version, size);
      const [{ status, body }, { sha256 }] = await Promise.all([sent.response, sent.done]);
      assert.equal(status, 201, body);
      assert.equal(JSON.parse(body).files[0].sha256, sha256);
    };

    it("streams a 100 MB file with the server's RSS growing by under 64 MiB", async (ctx) => {
      // Warm up first: the first upload compiles the paths and sizes the heap's young generation.
      await upload('0.0.1', 16 * mib);
      await ask('mark', 'marked');
      await upload('100.0.0', 100 * mib);
      const { baseline, peak } = await ask<{ baseline: number; peak: number }>('peak', 'peak');
      const growth = (peak - baseline) / mib;
      ctx.diagnostic(`server peak RSS growth during the 100 MB upload to ${store}: ${growth.toFixed(1)} MiB`);
      assert.ok(growth < 64, `the server's RSS grew by ${growth.toFixed(1)} MiB for a 100 MB file`);
    });
  });
}

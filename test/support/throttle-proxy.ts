// A reverse proxy in front of `updraft serve` that can hold firmware downloads part-way: it passes
// the first `holdAfter` bytes of a download on and then sends nothing more, so that a test can
// kill the device mid-download at a known point. It records the Range header of each download.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ThrottleProxy {
  base: string;
  /** Holds each download after this many bytes; undefined passes everything. */
  holdAfter: number | undefined;
  /** The Range header of each download request (`-` when there was none). */
  ranges: string[];
  close(): Promise<void>;
}

async function bodyOf(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return chunks.length > 0 ? Buffer.concat(chunks) : undefined;
}

export async function startThrottleProxy(target: string): Promise<ThrottleProxy> {
  const proxy: ThrottleProxy = { base: '', holdAfter: undefined, ranges: [], close: async () => {} };
  const server = createServer(async (req, res) => {
    const download = req.url!.startsWith('/device/v1/download/');
    if (download) proxy.ranges.push(String(req.headers.range ?? '-'));
    const headers = new Headers();
    for (const [key, value] of Object.entries(req.headers)) {
      if (key !== 'host' && key !== 'connection' && typeof value === 'string') headers.set(key, value);
    }
    const body = await bodyOf(req);
    const upstream = await fetch(`${target}${req.url}`, {
      method: req.method!,
      headers,
      ...(body && { body }),
    });
    const out: Record<string, string> = {};
    upstream.headers.forEach((value, key) => {
      if (!['connection', 'transfer-encoding', 'content-encoding', 'keep-alive'].includes(key))
        out[key] = value;
    });
    res.writeHead(upstream.status, out);
    const hold = download ? proxy.holdAfter : undefined;
    let sent = 0;
    for await (const chunk of upstream.body as unknown as AsyncIterable<Uint8Array>) {
      if (hold !== undefined && sent + chunk.length > hold) {
        res.write(chunk.subarray(0, hold - sent));
        return; // and nothing more: the connection stays open until the device gives up or dies
      }
      res.write(chunk);
      sent += chunk.length;
    }
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return proxy;
}

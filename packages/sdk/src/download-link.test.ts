// A download whose link the server replaced while it ran (a restarted server pushes the upgrade
// again with a new token, which makes the old one answer 410): the download goes on from the
// newer link at its next attempt, from the bytes on disk, and only a link to the same file counts.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { downloadResumable } from './download.ts';
import { newerLinkOf, type Offer } from './offer.ts';

describe('download links replaced while downloading', () => {
  const bytes = randomBytes(4096);
  const requests: string[] = [];
  let base: string;
  let dir: string;
  const server = createServer((request, response) => {
    const range = /^bytes=(\d+)-$/.exec(request.headers.range ?? '');
    requests.push(`${request.url} ${range?.[1] ?? '-'}`);
    if (request.url !== '/download/new') {
      response.writeHead(410).end('{"code":"DOWNLOAD_TOKEN_INVALID"}');
      return;
    }
    const from = Number(range?.[1] ?? 0);
    response.writeHead(range ? 206 : 200).end(bytes.subarray(from));
  });
  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    dir = await mkdtemp(join(tmpdir(), 'updraft-sdk-link-'));
  });
  after(async () => {
    server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('goes on from the newer link, from the bytes on disk, once the one it has is gone', async () => {
    const path = join(dir, 'partial.bin');
    await writeFile(path, bytes.subarray(0, 1000));
    let newer: string | undefined;
    await downloadResumable({ url: `${base}/download/old`, size: bytes.length }, path, {
      retry: { attempts: 4, baseDelayMs: 5, maxDelayMs: 10 },
      newerUrl: () => {
        // The push with the new token arrives after the first attempt.
        const now = newer;
        newer = `${base}/download/new`;
        return now;
      },
    });
    assert.deepEqual(requests, ['/download/old 1000', '/download/new 1000']);
    assert.deepEqual(await readFile(path), bytes);
  });

  it("takes a newer offer's link only for the same file", () => {
    const file = { index: 1, name: 'app.bin', url: 'http://s/old', size: 10, sha256: 'aa', md5: 'bb' };
    const offer = (files: Offer['files']): Offer => ({
      module: 'default',
      targetVersion: '2.0',
      url: files![0]!.url,
      size: files![0]!.size,
      sha256: files![0]!.sha256,
      md5: files![0]!.md5,
      files,
      kind: 'full',
      minSignal: null,
      minBattery: null,
    });
    assert.equal(newerLinkOf(file, offer([{ ...file, url: 'http://s/new' }])), 'http://s/new');
    assert.equal(newerLinkOf(file, offer([{ ...file, url: 'http://s/new', sha256: 'cc' }])), undefined);
    assert.equal(newerLinkOf(file, offer([{ ...file, url: 'http://s/new', index: 2 }])), undefined);
    assert.equal(newerLinkOf(file, undefined), undefined);
  });
});

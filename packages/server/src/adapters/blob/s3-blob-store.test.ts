import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ListMultipartUploadsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { isUpdraftError } from '@updraft/core';
import { describeBlobStoreContract } from '../../test-support/contracts/blob-store.contract.ts';
import { startTestS3Server, type TestS3Server } from '../../test-support/test-s3-server.ts';
import { createS3BlobStore, openS3BlobStore, type S3BlobStoreOptions } from './s3-blob-store.ts';

const mib = 1024 * 1024;

function optionsFor(server: TestS3Server, prefix: string): S3BlobStoreOptions {
  return {
    bucket: server.bucket,
    prefix,
    endpoint: server.endpoint,
    region: server.region,
    forcePathStyle: true,
    credentials: server.credentials,
    partBytes: 5 * mib,
  };
}

/** Objects under a prefix and multipart uploads not yet completed there. */
async function countUnder(server: TestS3Server, prefix: string): Promise<number> {
  const client = new S3Client({
    endpoint: server.endpoint,
    region: server.region,
    forcePathStyle: true,
    credentials: server.credentials,
  });
  const objects = await client.send(new ListObjectsV2Command({ Bucket: server.bucket, Prefix: prefix }));
  const uploads = await client.send(
    new ListMultipartUploadsCommand({ Bucket: server.bucket, Prefix: prefix }),
  );
  client.destroy();
  return (objects.Contents?.length ?? 0) + (uploads.Uploads?.length ?? 0);
}

let server: TestS3Server;
before(async () => {
  server = await startTestS3Server();
});
after(() => server.close());

describeBlobStoreContract('s3-blob-store', async () => {
  const prefix = `contract-${randomBytes(4).toString('hex')}/`;
  return {
    store: createS3BlobStore(optionsFor(server, prefix)),
    countTemp: () => countUnder(server, `${prefix}.tmp/`),
    async dispose() {},
  };
});

describe('s3-blob-store uploads', () => {
  it('streams a large blob as a multipart upload, parts leaving while later bytes are written', async () => {
    const store = createS3BlobStore(optionsFor(server, 'multipart/'));
    const data = randomBytes(13 * mib);
    const writer = await store.beginWrite({ maxBytes: 20 * mib });
    const partsBefore = server.requests.filter((r) => r === 'PUT upload-part').length;
    for (let i = 0; i < 11 * mib; i += 64 * 1024) await writer.write(data.subarray(i, i + 64 * 1024));
    // Two 5 MiB parts are full: the first has gone up before the last bytes were even written,
    // so the store never holds the whole file.
    const partsWhileWriting = server.requests.filter((r) => r === 'PUT upload-part').length - partsBefore;
    assert.ok(partsWhileWriting >= 1, `${partsWhileWriting} parts sent while writing`);
    await writer.write(data.subarray(11 * mib));
    const digest = await writer.finish();
    assert.equal(digest.sha256, createHash('sha256').update(data).digest('hex'));
    assert.equal(server.requests.filter((r) => r === 'PUT upload-part').length - partsBefore, 3);
    assert.deepEqual(await writer.commit(), { created: true });
    assert.deepEqual(await store.stat(digest.key), { size: data.length });
    const range = { start: 5 * mib - 10, end: 5 * mib + 9 };
    const chunks: Buffer[] = [];
    for await (const chunk of await store.open(digest.key, range)) chunks.push(chunk as Buffer);
    assert.deepEqual(Buffer.concat(chunks), data.subarray(range.start, range.end + 1));
    assert.equal(await countUnder(server, 'multipart/.tmp/'), 0);
  });

  it('aborts a multipart upload cut off half way, leaving no parts behind', async () => {
    const store = createS3BlobStore(optionsFor(server, 'cut/'));
    const writer = await store.beginWrite({ maxBytes: 20 * mib });
    await writer.write(randomBytes(6 * mib));
    assert.equal(await countUnder(server, 'cut/.tmp/'), 1, 'one upload in progress');
    await writer.abort();
    assert.equal(await countUnder(server, 'cut/'), 0);
  });

  it('sweeps an upload a crash left in progress once it is older than the given time', async () => {
    const store = createS3BlobStore(optionsFor(server, 'crash/'));
    const writer = await store.beginWrite({ maxBytes: 20 * mib });
    await writer.write(randomBytes(5 * mib));
    await writer.write(Buffer.from('never finished'));
    assert.equal(await store.sweepTemp(Date.now() - 3600_000), 0);
    assert.equal(await countUnder(server, 'crash/.tmp/'), 1);
    assert.equal(await store.sweepTemp(Date.now() + 60_000), 1);
    assert.equal(await countUnder(server, 'crash/'), 0);
  });
});

describe('s3-blob-store start', () => {
  it('refuses to start on a bucket that does not exist, naming it', async () => {
    await assert.rejects(
      openS3BlobStore({ ...optionsFor(server, ''), bucket: 'no-such-bucket' }),
      (e) => isUpdraftError(e) && e.code === 'BLOB_STORE_UNAVAILABLE' && e.message.includes('no-such-bucket'),
    );
  });

  it('refuses to start when nothing answers at the endpoint', async () => {
    await assert.rejects(
      openS3BlobStore({ ...optionsFor(server, ''), endpoint: 'http://127.0.0.1:9' }),
      (e) => isUpdraftError(e) && e.code === 'BLOB_STORE_UNAVAILABLE' && e.message.includes('127.0.0.1:9'),
    );
  });

  it('opens a bucket that answers', async () => {
    const store = await openS3BlobStore(optionsFor(server, 'open/'));
    assert.equal(await store.stat('0'.repeat(64)), undefined);
  });
});

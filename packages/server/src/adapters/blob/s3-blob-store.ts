// Firmware blobs as objects of an S3 bucket (AWS S3, MinIO, Cloudflare R2, …), laid out as the
// filesystem store lays out files: <prefix><first two hex digits>/<sha256>. A blob is uploaded
// to <prefix>.tmp/<random> while it is hashed, since its key is known only after the last byte,
// and copied to its key on commit (S3 has no rename). Small blobs go up in one PutObject; larger
// ones as a multipart upload fed part by part while the upload streams in, so at most two parts
// (one uploading, one filling) are in memory, whatever the file's size.
import { createHash, randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { UpdraftError } from '@updraft/core';
import type { BlobDigest, BlobStore, BlobWriter, ByteRange } from '../../modules/firmware/blob-store.ts';

export interface S3BlobStoreOptions {
  bucket: string;
  /** Put before every object key; empty, or ending in "/". */
  prefix: string;
  /** The S3 API's URL (MinIO, R2); null for AWS S3 of `region`. */
  endpoint: string | null;
  /** null: the AWS chain's region (AWS_REGION, the shared config file). */
  region: string | null;
  /** <endpoint>/<bucket>/<key> instead of <bucket>.<endpoint>/<key> (MinIO, most servers). */
  forcePathStyle: boolean;
  /** Explicit keys (tests); otherwise the AWS chain: environment, shared files, instance role. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Size of a multipart upload's parts; S3 takes 5 MiB at least (but for the last part). */
  partBytes?: number;
}

const keyPattern = /^[0-9a-f]{64}$/;
const defaultPartBytes = 8 * 1024 * 1024;

interface S3ErrorShape {
  name?: string;
  $metadata?: { httpStatusCode?: number };
}

function isMissing(error: unknown): boolean {
  const e = error as S3ErrorShape;
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.$metadata?.httpStatusCode === 404;
}

/** A CopySource names "<bucket>/<key>" URL-encoded, "/" kept. */
const copySource = (bucket: string, key: string) =>
  `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;

export function createS3BlobStore(options: S3BlobStoreOptions): BlobStore & { client: S3Client } {
  const { bucket, prefix } = options;
  const partBytes = options.partBytes ?? defaultPartBytes;
  const client = new S3Client({
    ...(options.endpoint && { endpoint: options.endpoint }),
    ...(options.region && { region: options.region }),
    ...(options.credentials && { credentials: options.credentials }),
    forcePathStyle: options.forcePathStyle,
    // Flexible checksums only where S3 requires them: several S3-compatible servers refuse the
    // newer checksum headers, and every blob's sha256 is computed here anyway.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const tmpPrefix = `${prefix}.tmp/`;
  const objectKey = (key: string) => `${prefix}${key.slice(0, 2)}/${key}`;
  const notFound = (key: string) =>
    new UpdraftError('NOT_FOUND', `no blob ${key}`, { resource: 'blob', key });

  async function head(objectName: string): Promise<{ size: number } | undefined> {
    try {
      const answer = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: objectName }));
      return { size: answer.ContentLength ?? 0 };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  const deleteObject = (objectName: string) =>
    client.send(new DeleteObjectCommand({ Bucket: bucket, Key: objectName }));

  async function beginWrite({ maxBytes }: { maxBytes: number }): Promise<BlobWriter> {
    const tmpKey = `${tmpPrefix}${randomBytes(12).toString('hex')}.part`;
    const sha256 = createHash('sha256');
    const md5 = createHash('md5');
    let size = 0;
    let filling: Buffer[] = [];
    let filled = 0;
    let uploadId: string | undefined;
    const parts: { PartNumber: number; ETag: string }[] = [];
    let uploading: Promise<void> = Promise.resolve();
    let digest: BlobDigest | undefined;
    let state: 'writing' | 'finished' | 'committed' | 'aborted' = 'writing';

    function takeFilled(): Buffer {
      const body = Buffer.concat(filling, filled);
      filling = [];
      filled = 0;
      return body;
    }

    /** Waits for the part before, then sends this one; its failure surfaces on the next wait. */
    async function sendPart(body: Buffer): Promise<void> {
      await uploading;
      uploadId ??= (await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: tmpKey })))
        .UploadId;
      const partNumber = parts.length + 1;
      parts.push({ PartNumber: partNumber, ETag: '' });
      const upload = client
        .send(
          new UploadPartCommand({
            Bucket: bucket,
            Key: tmpKey,
            UploadId: uploadId,
            PartNumber: partNumber,
            Body: body,
            ContentLength: body.length,
          }),
        )
        .then((answer) => {
          parts[partNumber - 1]!.ETag = answer.ETag ?? '';
        });
      // Observed by the next sendPart, finish or abort; never left unhandled meanwhile.
      upload.catch(() => {});
      uploading = upload;
    }

    async function abort(): Promise<void> {
      if (state === 'committed' || state === 'aborted') return;
      const wasFinished = state === 'finished';
      state = 'aborted';
      filling = [];
      await uploading.catch(() => {});
      if (uploadId && !wasFinished) {
        await client
          .send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: tmpKey, UploadId: uploadId }))
          .catch(() => {});
      }
      if (wasFinished) await deleteObject(tmpKey);
    }

    return {
      async write(chunk) {
        if (state !== 'writing') throw new Error(`blob writer is ${state}`);
        if (size + chunk.byteLength > maxBytes) {
          throw new UpdraftError('FIRMWARE_FILE_TOO_LARGE', `a file is larger than ${maxBytes} bytes`, {
            maxBytes,
          });
        }
        size += chunk.byteLength;
        sha256.update(chunk);
        md5.update(chunk);
        // A copy: the caller may reuse its buffer once write() returns.
        filling.push(Buffer.from(chunk));
        filled += chunk.byteLength;
        if (filled >= partBytes) await sendPart(takeFilled());
      },

      async finish() {
        if (digest) return digest;
        if (state !== 'writing') throw new Error(`blob writer is ${state}`);
        if (uploadId === undefined && parts.length === 0) {
          const body = takeFilled();
          await client.send(
            new PutObjectCommand({ Bucket: bucket, Key: tmpKey, Body: body, ContentLength: body.length }),
          );
        } else {
          if (filled > 0) await sendPart(takeFilled());
          await uploading;
          await client.send(
            new CompleteMultipartUploadCommand({
              Bucket: bucket,
              Key: tmpKey,
              UploadId: uploadId,
              MultipartUpload: { Parts: parts },
            }),
          );
        }
        state = 'finished';
        const hex = sha256.digest('hex');
        digest = { key: hex, size, sha256: hex, md5: md5.digest('hex') };
        return digest;
      },

      async commit() {
        if (state !== 'finished' || !digest) throw new Error(`blob writer is ${state}, not finished`);
        const target = objectKey(digest.key);
        // Same bytes already stored: content addressing makes this copy redundant.
        const created = (await head(target)) === undefined;
        if (created) {
          await client.send(
            new CopyObjectCommand({ Bucket: bucket, Key: target, CopySource: copySource(bucket, tmpKey) }),
          );
        }
        await deleteObject(tmpKey);
        state = 'committed';
        return { created };
      },

      abort,
    };
  }

  return {
    client,
    beginWrite,

    async open(key, range?: ByteRange): Promise<Readable> {
      if (!keyPattern.test(key)) throw notFound(key);
      try {
        const answer = await client.send(
          new GetObjectCommand({
            Bucket: bucket,
            Key: objectKey(key),
            ...(range && { Range: `bytes=${range.start}-${range.end}` }),
          }),
        );
        // In Node the SDK's body is the HTTP response itself, a Readable.
        return answer.Body as Readable;
      } catch (error) {
        if (isMissing(error)) throw notFound(key);
        throw error;
      }
    },

    async stat(key) {
      return keyPattern.test(key) ? head(objectKey(key)) : undefined;
    },

    async downloadUrl(key, { expiresInSeconds, fileName }) {
      if (!keyPattern.test(key)) throw notFound(key);
      // Only the host is signed: the device's Range (and If-Range) reach S3 as it sent them.
      return getSignedUrl(
        client,
        new GetObjectCommand({
          Bucket: bucket,
          Key: objectKey(key),
          ...(fileName && {
            ResponseContentDisposition: `attachment; filename="${fileName.replace(/["\\\r\n]/g, '_')}"`,
          }),
        }),
        { expiresIn: expiresInSeconds },
      );
    },

    async delete(key) {
      if (keyPattern.test(key)) await deleteObject(objectKey(key));
    },

    async *list() {
      const blobName = new RegExp(`^${escapeRegExp(prefix)}([0-9a-f]{2})/([0-9a-f]{64})$`);
      let token: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
        );
        for (const object of page.Contents ?? []) {
          const match = blobName.exec(object.Key ?? '');
          if (match && match[2]!.startsWith(match[1]!)) yield match[2]!;
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    },

    async sweepTemp(before) {
      let removed = 0;
      let token: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: tmpPrefix, ContinuationToken: token }),
        );
        for (const object of page.Contents ?? []) {
          if (!object.Key || (object.LastModified?.getTime() ?? 0) >= before) continue;
          await deleteObject(object.Key);
          removed++;
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      // Uploads a crash interrupted: their parts cost storage until aborted (a bucket lifecycle
      // rule with AbortIncompleteMultipartUpload does the same; docs/deployment.md).
      let keyMarker: string | undefined;
      let uploadIdMarker: string | undefined;
      do {
        const page = await client.send(
          new ListMultipartUploadsCommand({
            Bucket: bucket,
            Prefix: tmpPrefix,
            KeyMarker: keyMarker,
            UploadIdMarker: uploadIdMarker,
          }),
        );
        for (const upload of page.Uploads ?? []) {
          if (!upload.Key || !upload.UploadId || (upload.Initiated?.getTime() ?? 0) >= before) continue;
          await client.send(
            new AbortMultipartUploadCommand({ Bucket: bucket, Key: upload.Key, UploadId: upload.UploadId }),
          );
          removed++;
        }
        [keyMarker, uploadIdMarker] = page.IsTruncated
          ? [page.NextKeyMarker, page.NextUploadIdMarker]
          : [undefined, undefined];
      } while (keyMarker);
      return removed;
    },
  };
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The S3 store, once its bucket answered: a wrong endpoint, bucket, region or key stops the
 * start with BLOB_STORE_UNAVAILABLE naming them, rather than failing the first upload.
 */
export async function openS3BlobStore(
  options: S3BlobStoreOptions,
): Promise<BlobStore & { client: S3Client }> {
  const store = createS3BlobStore(options);
  try {
    await store.client.send(new HeadBucketCommand({ Bucket: options.bucket }));
  } catch (error) {
    const e = error as S3ErrorShape & { message?: string };
    const status = e.$metadata?.httpStatusCode;
    throw new UpdraftError(
      'BLOB_STORE_UNAVAILABLE',
      `S3 bucket ${options.bucket} at ${options.endpoint ?? 'AWS S3'} does not answer: ` +
        `${e.name ?? 'error'}${status ? ` (HTTP ${status})` : ''}${e.message && e.message !== e.name ? `: ${e.message}` : ''}`,
      { bucket: options.bucket, endpoint: options.endpoint, status },
    );
  }
  return store;
}

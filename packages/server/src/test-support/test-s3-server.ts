// A local S3-compatible server for tests: the maintained fork of s3rver (@20minutes/s3rver, npm),
// on 127.0.0.1 and a free port, keeping its objects in a temporary folder. Every test that needs
// S3 starts one; nothing outside this machine is contacted.
//
// s3rver lacks three things the AWS SDK v3 uses; this harness supplies them in front of its
// router, and says so here rather than hiding it:
// - it signs bucket-level requests (`GET /bucket/?list-type=2`) over "/bucket" while the SDK
//   signs "/bucket/" (SigV4 canonical URI), so every listing failed with SignatureDoesNotMatch;
// - AbortMultipartUpload (`DELETE /bucket/key?uploadId=`) answered MethodNotAllowed;
// - ListMultipartUploads (`GET /bucket/?uploads`) answered NotImplemented.
// The last two read and remove s3rver's own upload folders (<root>/<bucket>/._S3rver_uploads/).
import { mkdtempSync, rmSync } from 'node:fs';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';

/** The part of a Koa context the harness middleware uses. */
interface KoaContext {
  method: string;
  path: string;
  query: Record<string, string | string[] | undefined>;
  status: number;
  body: unknown;
  type: string;
  state: Record<string, unknown>;
  mountPath?: string;
}
type Middleware = (ctx: KoaContext, next: () => Promise<void>) => Promise<void> | void;

interface S3rverInstance {
  middleware: Middleware[];
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
}
type S3rverConstructor = new (options: Record<string, unknown>) => S3rverInstance;

const require = createRequire(import.meta.url);

export interface TestS3Server {
  endpoint: string;
  bucket: string;
  region: string;
  /** s3rver's built-in account. */
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** Requests served, as "METHOD kind" (kind: put-object, upload-part, …), oldest first. */
  requests: string[];
  /** Keys of the bucket's objects under a prefix, sorted (through the S3 API, signed). */
  listKeys(prefix?: string): Promise<string[]>;
  close(): Promise<void>;
}

function kindOf(ctx: KoaContext): string {
  const q = ctx.query;
  const isBucket = /^\/[^/]+\/?$/.test(ctx.path);
  if (ctx.method === 'PUT' && 'partNumber' in q) return 'upload-part';
  if (ctx.method === 'POST' && 'uploads' in q) return 'create-multipart';
  if (ctx.method === 'POST' && 'uploadId' in q) return 'complete-multipart';
  if (ctx.method === 'DELETE' && 'uploadId' in q) return 'abort-multipart';
  if (ctx.method === 'GET' && isBucket) return 'uploads' in q ? 'list-multipart' : 'list';
  return `${ctx.method.toLowerCase()}-${isBucket ? 'bucket' : 'object'}`;
}

const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export async function startTestS3Server(bucket = 'updraft-test'): Promise<TestS3Server> {
  const S3rver = require('@20minutes/s3rver') as S3rverConstructor;
  const root = mkdtempSync(join(tmpdir(), 'updraft-s3-'));
  const uploadsDir = join(root, bucket, '._S3rver_uploads');
  const requests: string[] = [];

  async function listUploads(prefix: string): Promise<{ key: string; id: string; initiated: Date }[]> {
    let ids: string[];
    try {
      ids = await readdir(uploadsDir);
    } catch {
      return [];
    }
    const uploads = [];
    for (const id of ids) {
      try {
        const key = await readFile(join(uploadsDir, id, 'key'), 'utf8');
        if (key.startsWith(prefix))
          uploads.push({ key, id, initiated: (await stat(join(uploadsDir, id))).mtime });
      } catch {
        // completed or aborted meanwhile
      }
    }
    return uploads;
  }

  const harness: Middleware = async (ctx, next) => {
    requests.push(`${ctx.method} ${kindOf(ctx)}`);
    if (ctx.method === 'DELETE' && typeof ctx.query['uploadId'] === 'string') {
      await rm(join(uploadsDir, ctx.query['uploadId'].replace(/[^0-9a-f]/g, '')), {
        recursive: true,
        force: true,
      });
      ctx.status = 204;
      return;
    }
    if (ctx.method === 'GET' && /^\/[^/]+\/?$/.test(ctx.path) && 'uploads' in ctx.query) {
      const prefix = typeof ctx.query['prefix'] === 'string' ? ctx.query['prefix'] : '';
      const uploads = await listUploads(prefix);
      ctx.type = 'application/xml';
      ctx.body =
        '<?xml version="1.0" encoding="UTF-8"?>\n<ListMultipartUploadsResult>' +
        `<Bucket>${xmlEscape(bucket)}</Bucket><Prefix>${xmlEscape(prefix)}</Prefix><IsTruncated>false</IsTruncated>` +
        uploads
          .map(
            (u) =>
              `<Upload><Key>${xmlEscape(u.key)}</Key><UploadId>${u.id}</UploadId>` +
              `<Initiated>${u.initiated.toISOString()}</Initiated></Upload>`,
          )
          .join('') +
        '</ListMultipartUploadsResult>';
      return;
    }
    // SigV4 signs the path as sent: "/bucket/" for bucket-level requests. s3rver builds it from
    // the bucket name alone unless the request is virtual-hosted, where it appends mountPath.
    if (/^\/[^/]+\/$/.test(ctx.path) && !ctx.state['vhost']) {
      ctx.state['vhost'] = true;
      ctx.mountPath = '/';
    }
    await next();
  };

  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: root,
    configureBuckets: [{ name: bucket }],
  });
  // Just before s3rver's router, after its virtual-host middleware.
  server.middleware.splice(server.middleware.length - 1, 0, harness);
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
  const client = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials });
  return {
    endpoint,
    bucket,
    region: 'us-east-1',
    credentials,
    requests,
    async listKeys(prefix = '') {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
        );
        keys.push(...(page.Contents ?? []).map((o) => o.Key!));
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return keys.sort();
    },
    async close() {
      client.destroy();
      await server.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

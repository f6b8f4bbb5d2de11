// A small read-ahead cache in front of a remote blob store (S3), for devices that download in
// many small ranges through Updraft (OneNET devices cannot follow a redirect to S3): a range is
// served from fixed-size blocks read from the store whole, so sequential 512-byte or 64 KiB
// ranges cost one S3 request per block instead of one each. Blobs never change under their key,
// so a block stays right as long as it is kept; the cache is a byte-bounded LRU, and devices that
// miss the same block at once share one read. Whole-file reads pass straight through.
import { Readable } from 'node:stream';
import type { BlobStore, ByteRange } from '../../modules/firmware/blob-store.ts';

export interface ReadAheadOptions {
  /** Bytes read from the store at once (1 MiB). */
  blockBytes?: number;
  /** Memory for blocks (16 MiB). */
  maxBytes?: number;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export function withReadAhead(inner: BlobStore, options: ReadAheadOptions = {}): BlobStore {
  const blockBytes = options.blockBytes ?? 1024 * 1024;
  const maxBytes = options.maxBytes ?? 16 * 1024 * 1024;
  const blocks = new Map<string, Buffer>();
  const loading = new Map<string, Promise<Buffer>>();
  let used = 0;

  function remember(id: string, block: Buffer): void {
    if (blocks.has(id)) return;
    blocks.set(id, block);
    used += block.length;
    // Map keeps insertion order: the first entries are the least recently used.
    for (const [oldId, old] of blocks) {
      if (used <= maxBytes) break;
      blocks.delete(oldId);
      used -= old.length;
    }
  }

  async function block(key: string, index: number): Promise<Buffer> {
    const id = `${key}:${index}`;
    const cached = blocks.get(id);
    if (cached) {
      blocks.delete(id);
      blocks.set(id, cached);
      return cached;
    }
    let pending = loading.get(id);
    if (!pending) {
      const start = index * blockBytes;
      pending = inner
        .open(key, { start, end: start + blockBytes - 1 })
        .then(readAll)
        .finally(() => loading.delete(id));
      loading.set(id, pending);
      remember(id, await pending);
    }
    return pending;
  }

  async function openRange(key: string, range: ByteRange): Promise<Readable> {
    const parts: Buffer[] = [];
    for (let index = Math.floor(range.start / blockBytes); index * blockBytes <= range.end; index++) {
      const bytes = await block(key, index);
      const base = index * blockBytes;
      parts.push(
        bytes.subarray(Math.max(0, range.start - base), Math.min(bytes.length, range.end - base + 1)),
      );
      if (bytes.length < blockBytes) break; // the blob's last block
    }
    return Readable.from(parts.length === 1 ? parts : [Buffer.concat(parts)]);
  }

  return {
    ...inner,
    open(key, range) {
      // Ranges up to a few blocks go through the cache; a whole file or a large range streams.
      if (!range || range.end - range.start + 1 > 4 * blockBytes) return inner.open(key, range);
      return openRange(key, range);
    },
  };
}

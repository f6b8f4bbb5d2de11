// Hot firmware files in memory: a byte-bounded LRU keyed by blob key (sha256). Files larger than
// a quarter of the budget are never cached, so one big file cannot evict the whole fleet's.
// Misses are filled single-flight: devices that ask for the same cold file at once (a plan's
// start) share one read instead of each holding a copy of the whole file.

export interface FirmwareCache {
  get(key: string): Buffer | undefined;
  /** Whether a file of this size may be cached at all. */
  admits(size: number): boolean;
  put(key: string, bytes: Buffer): void;
  /**
   * The cached file, or `load()`ed and cached when the file is admitted (undefined when not);
   * concurrent calls for the same key share one load. A failed load is not remembered.
   */
  getOrLoad(key: string, size: number, load: () => Promise<Buffer>): Promise<Buffer | undefined>;
}

export function createFirmwareCache(maxBytes: number): FirmwareCache {
  const entries = new Map<string, Buffer>();
  const loading = new Map<string, Promise<Buffer>>();
  let used = 0;
  function get(key: string): Buffer | undefined {
    const bytes = entries.get(key);
    if (bytes) {
      // Map keeps insertion order: re-inserting marks the entry most recently used.
      entries.delete(key);
      entries.set(key, bytes);
    }
    return bytes;
  }
  const admits = (size: number) => maxBytes > 0 && size <= maxBytes / 4;
  function put(key: string, bytes: Buffer): void {
    if (entries.has(key) || bytes.length > maxBytes / 4 || maxBytes <= 0) return;
    entries.set(key, bytes);
    used += bytes.length;
    for (const [oldKey, old] of entries) {
      if (used <= maxBytes) break;
      entries.delete(oldKey);
      used -= old.length;
    }
  }
  return {
    get,
    admits,
    put,
    async getOrLoad(key, size, load) {
      const cached = get(key);
      if (cached || !admits(size)) return cached;
      let pending = loading.get(key);
      if (!pending) {
        pending = load().finally(() => loading.delete(key));
        loading.set(key, pending);
        const bytes = await pending;
        put(key, bytes);
        return bytes;
      }
      return pending;
    },
  };
}

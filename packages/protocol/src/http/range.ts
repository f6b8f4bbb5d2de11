// The Range header of firmware downloads. Two dialects:
// - 'rfc7233': RFC 7233 single byte ranges; a missing `bytes=` prefix is tolerated (OneNET
//   devices send `Range: 50500-50999`); several ranges or a syntax we do not understand are
//   ignored and the whole file is sent (RFC 7233 §3.1 lets a server ignore Range).
// - 'onenet': OneNET's download rules (protocols.md §2.4 (3)): out-of-range starts fall back
//   to 0, an end past the file is clamped, and nothing is ever unsatisfiable.
export type RangeDialect = 'rfc7233' | 'onenet';

export type RangeDecision =
  | { kind: 'full' }
  | { kind: 'partial'; start: number; end: number }
  /** RFC 7233 §4.4: answer 416 with `Content-Range: bytes *\/size`. */
  | { kind: 'unsatisfiable' };

const spec = /^\s*(?:bytes\s*=\s*)?(\d*)\s*-\s*(\d*)\s*$/i;

export function decideRange(header: string | undefined, size: number, dialect: RangeDialect): RangeDecision {
  if (header === undefined || header.trim() === '') return { kind: 'full' };
  if (header.includes(',')) return { kind: 'full' };
  const match = spec.exec(header);
  if (!match) return { kind: 'full' };
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return { kind: 'full' };
  // Leading zeros are fine (`01-02` is `1-2`); numbers past 2^53 are treated as "past the end".
  const a = first === '' ? null : Math.min(Number(first), Number.MAX_SAFE_INTEGER);
  const b = last === '' ? null : Math.min(Number(last), Number.MAX_SAFE_INTEGER);

  if (dialect === 'onenet') {
    if (size === 0) return { kind: 'full' };
    if (a === null) {
      const n = b!;
      return n >= size || n === 0 ? { kind: 'full' } : { kind: 'partial', start: size - n, end: size - 1 };
    }
    let start = a >= size ? 0 : a;
    const end = b === null || b >= size ? size - 1 : b;
    if (start > end) start = 0;
    return { kind: 'partial', start, end };
  }

  if (a === null) {
    // Suffix range: the last n bytes (RFC 7233 §2.1).
    const n = b!;
    if (n === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', start: Math.max(0, size - n), end: size - 1 };
  }
  if (b !== null && b < a) return { kind: 'full' };
  if (a >= size) return { kind: 'unsatisfiable' };
  return { kind: 'partial', start: a, end: b === null || b >= size ? size - 1 : b };
}

/** `Content-Range` value for a partial response, or for a 416 when `range` is null. */
export function contentRange(range: { start: number; end: number } | null, size: number): string {
  return range ? `bytes ${range.start}-${range.end}/${size}` : `bytes */${size}`;
}

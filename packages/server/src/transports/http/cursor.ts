// Opaque, signed pagination cursors. A cursor names the list it was made by, the last id seen
// and the filters it was made under; a forged cursor, one handed to another list, or one reused
// with other filters is refused with INVALID_CURSOR.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { UpdraftError } from '@updraft/core';

export interface CursorCodec {
  /** `list` names the list (its route, e.g. `/users`); only that list accepts the cursor. */
  encode(list: string, after: number | null, filters: Record<string, unknown>): string | null;
  decode(list: string, cursor: string | undefined, filters: Record<string, unknown>): number | undefined;
}

function filterKey(filters: Record<string, unknown>): string {
  const entries = Object.entries(filters)
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .sort(([a], [b]) => a.localeCompare(b));
  return JSON.stringify(entries);
}

export function createCursorCodec(secret: Buffer): CursorCodec {
  const sign = (body: string) =>
    createHmac('sha256', secret).update(`cursor:${body}`).digest().subarray(0, 12);
  return {
    encode(list, after, filters) {
      if (after === null) return null;
      const body = Buffer.from(JSON.stringify({ l: list, a: after, f: filterKey(filters) })).toString(
        'base64url',
      );
      return `${body}.${sign(body).toString('base64url')}`;
    },
    decode(list, cursor, filters) {
      if (cursor === undefined || cursor === '') return undefined;
      const [body, signature, extra] = cursor.split('.');
      const invalid = (why: string) =>
        new UpdraftError('INVALID_CURSOR', `the cursor is not valid: ${why}`, { cursor });
      if (!body || !signature || extra !== undefined) throw invalid('malformed');
      const given = Buffer.from(signature, 'base64url');
      const expected = sign(body);
      if (given.length !== expected.length || !timingSafeEqual(given, expected))
        throw invalid('bad signature');
      let parsed: { l?: unknown; a?: unknown; f?: unknown };
      try {
        parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
      } catch {
        throw invalid('malformed');
      }
      if (parsed.l !== list) throw invalid('it was made by another list; start again without a cursor');
      if (parsed.f !== filterKey(filters))
        throw invalid('it was made for other filters; start again without a cursor');
      if (typeof parsed.a !== 'number' || !Number.isSafeInteger(parsed.a)) throw invalid('malformed');
      return parsed.a;
    },
  };
}

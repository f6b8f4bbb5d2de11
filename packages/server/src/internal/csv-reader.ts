// A streaming CSV reader (RFC 4180: comma separated, double-quoted fields with "" for a quote,
// CRLF or LF line ends, line breaks inside quotes). It holds one record at a time.
import { UpdraftError } from '@updraft/core';

export type CsvRecord = { line: number; fields: string[] } | { line: number; error: string };

type State = 'fieldStart' | 'unquoted' | 'quoted' | 'quoteInQuoted' | 'bad';

/** Text of UTF-8 chunks; a byte sequence that is not UTF-8 is refused. */
export async function* decodeUtf8(chunks: AsyncIterable<Uint8Array | string>): AsyncGenerator<string> {
  // A leading byte order mark is dropped (ignoreBOM: false).
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  try {
    for await (const chunk of chunks) {
      const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
      if (text) yield text;
    }
    const rest = decoder.decode();
    if (rest) yield rest;
  } catch (error) {
    if (error instanceof TypeError) throw new UpdraftError('VALIDATION_FAILED', 'the body is not UTF-8 text');
    throw error;
  }
}

/**
 * Records with the physical line each starts on; blank lines are skipped. A record with text
 * after a closing quote is reported as an error and reading goes on at the next line.
 */
export async function* readCsv(
  chunks: AsyncIterable<Uint8Array | string>,
  maxRecordChars = 64 * 1024,
): AsyncGenerator<CsvRecord> {
  let state: State = 'fieldStart';
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let start = 1;
  let size = 0;
  let bad = '';

  const end = (): CsvRecord | undefined => {
    const record: CsvRecord | undefined =
      state === 'bad'
        ? { line: start, error: bad }
        : fields.length === 0 && field === '' && state === 'fieldStart'
          ? undefined
          : { line: start, fields: [...fields, field] };
    fields = [];
    field = '';
    size = 0;
    state = 'fieldStart';
    return record;
  };

  for await (const text of decodeUtf8(chunks)) {
    for (const c of text) {
      if (++size > maxRecordChars) {
        throw new UpdraftError('VALIDATION_FAILED', `the record on line ${start} is too long`, {
          line: start,
        });
      }
      if (c === '\n') line += 1;
      switch (state) {
        case 'quoted':
          if (c === '"') state = 'quoteInQuoted';
          else field += c;
          continue;
        case 'bad':
          if (c === '\n') {
            const record = end();
            if (record) yield record;
            start = line;
          }
          continue;
        case 'quoteInQuoted':
          if (c === '"') {
            field += '"';
            state = 'quoted';
            continue;
          }
          if (c !== ',' && c !== '\n' && c !== '\r') {
            state = 'bad';
            bad = 'text after a closing quote';
            continue;
          }
          break;
        case 'fieldStart':
          if (c === '"') {
            state = 'quoted';
            continue;
          }
          break;
      }
      if (c === ',') {
        fields.push(field);
        field = '';
        state = 'fieldStart';
      } else if (c === '\n') {
        const record = end();
        if (record) yield record;
        start = line;
      } else if (c === '\r') {
        // Part of a CRLF line end.
      } else if (state === 'fieldStart' || state === 'unquoted') {
        field += c;
        state = 'unquoted';
      }
    }
  }
  if (state === 'quoted') {
    throw new UpdraftError('VALIDATION_FAILED', `the quoted field on line ${start} never ends`, {
      line: start,
    });
  }
  const record = end();
  if (record) yield record;
}

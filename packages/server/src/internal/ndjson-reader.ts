// Streaming readers of JSON records: newline-delimited JSON (one value per line) and a JSON
// array split into its elements without parsing the whole array. Each holds one record at a time.
import { UpdraftError } from '@updraft/core';
import { decodeUtf8 } from './csv-reader.ts';

/** The text of one record and where it was: the line (NDJSON) or the 1-based element (array). */
export interface JsonRecord {
  line: number;
  text: string;
}

const tooLong = (line: number) =>
  new UpdraftError('VALIDATION_FAILED', `record ${line} is too long`, { line });

/** Non-blank lines of NDJSON, unparsed. */
export async function* readNdjson(
  chunks: AsyncIterable<Uint8Array | string>,
  maxRecordChars = 64 * 1024,
): AsyncGenerator<JsonRecord> {
  let line = 1;
  let rest = '';
  for await (const text of decodeUtf8(chunks)) {
    rest += text;
    let newline = rest.indexOf('\n');
    while (newline >= 0) {
      const record = rest.slice(0, newline).trim();
      if (record) yield { line, text: record };
      line += 1;
      rest = rest.slice(newline + 1);
      newline = rest.indexOf('\n');
    }
    if (rest.length > maxRecordChars) throw tooLong(line);
  }
  const record = rest.trim();
  if (record) yield { line, text: record };
}

const isSpace = (c: string) => c === ' ' || c === '\n' || c === '\r' || c === '\t';

/**
 * The elements of one top-level JSON array, as text. Only the structure (strings, escapes,
 * nesting) is tracked here; an element that is not valid JSON fails when its reader parses it.
 */
export async function* readJsonArray(
  chunks: AsyncIterable<Uint8Array | string>,
  maxRecordChars = 64 * 1024,
): AsyncGenerator<JsonRecord> {
  let phase: 'before' | 'inside' | 'after' = 'before';
  let element = '';
  let index = 0;
  let depth = 0;
  let inString = false;
  let escaped = false;
  const malformed = (why: string) =>
    new UpdraftError('VALIDATION_FAILED', `the JSON array is malformed: ${why}`);

  for await (const text of decodeUtf8(chunks)) {
    for (const c of text) {
      if (phase !== 'inside') {
        if (isSpace(c)) continue;
        if (phase === 'before' && c === '[') {
          phase = 'inside';
          continue;
        }
        throw malformed(phase === 'before' ? 'the body does not start with [' : 'text after the closing ]');
      }
      if (inString) {
        element += c;
        if (escaped) escaped = false;
        else if (c === '\\') escaped = true;
        else if (c === '"') inString = false;
      } else if (depth === 0 && (c === ',' || c === ']')) {
        const record = element.trim();
        element = '';
        if (record) yield { line: ++index, text: record };
        else if (c === ',' || index > 0) throw malformed(`element ${index + 1} is empty`);
        if (c === ']') phase = 'after';
        continue;
      } else {
        element += c;
        if (c === '"') inString = true;
        else if (c === '{' || c === '[') depth += 1;
        else if (c === '}' || c === ']') depth -= 1;
        if (depth < 0) throw malformed(`unbalanced ${c}`);
      }
      if (element.length > maxRecordChars) throw tooLong(index + 1);
    }
  }
  if (phase !== 'after') throw malformed(phase === 'before' ? 'the body is empty' : 'the array never ends');
}

// The import formats, each turned into rows of raw device fields:
// - CSV with a header row: name (required), gateway (a gateway device id), tags (separated by ;),
//   version (reported version of the `default` module);
// - NDJSON and a JSON array of objects {name, gatewayId?, tags?, versions?: {module: version}}.
import { UpdraftError } from '@updraft/core';
import { readCsv } from '../../internal/csv-reader.ts';
import { type JsonRecord, readJsonArray, readNdjson } from '../../internal/ndjson-reader.ts';
import type { ImportRow } from './device-import.ts';

export const importFormats = ['text/csv', 'application/x-ndjson', 'application/json'] as const;
export type ImportFormat = (typeof importFormats)[number];

const csvColumns = ['name', 'gateway', 'tags', 'version'];

const badRow = (line: number, message: string): ImportRow => ({
  line,
  error: new UpdraftError('IMPORT_INVALID_ROW', message, { line }),
});

async function* rowsFromCsv(chunks: AsyncIterable<Uint8Array | string>): AsyncGenerator<ImportRow> {
  let header: string[] | undefined;
  for await (const record of readCsv(chunks)) {
    if ('error' in record) {
      if (!header)
        throw new UpdraftError('VALIDATION_FAILED', `the CSV header is malformed: ${record.error}`);
      yield badRow(record.line, record.error);
      continue;
    }
    if (!header) {
      header = record.fields.map((f) => f.trim().toLowerCase());
      const unknown = header.find((column) => !csvColumns.includes(column));
      if (unknown !== undefined) {
        throw new UpdraftError(
          'UNKNOWN_FIELD',
          `unknown CSV column "${unknown}"; columns: ${csvColumns.join(', ')}`,
          {
            field: unknown,
          },
        );
      }
      if (!header.includes('name') || new Set(header).size !== header.length) {
        throw new UpdraftError('VALIDATION_FAILED', 'the CSV header names each column once and has name', {
          field: 'header',
        });
      }
      continue;
    }
    if (record.fields.length !== header.length) {
      yield badRow(record.line, `the row has ${record.fields.length} fields, the header ${header.length}`);
      continue;
    }
    const fields: Record<string, unknown> = {};
    for (const [i, column] of header.entries()) {
      const value = record.fields[i]!.trim();
      if (column === 'name') fields['name'] = value;
      else if (column === 'tags' && value)
        fields['tags'] = value
          .split(';')
          .map((t) => t.trim())
          .filter(Boolean);
      else if (column === 'version' && value) fields['versions'] = { default: value };
      else if (column === 'gateway' && value)
        fields['gatewayId'] = /^\d{1,15}$/.test(value) ? Number(value) : value;
    }
    yield { line: record.line, fields };
  }
}

async function* rowsFromJson(records: AsyncIterable<JsonRecord>): AsyncGenerator<ImportRow> {
  for await (const { line, text } of records) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      yield badRow(line, 'the record is not valid JSON');
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      yield badRow(line, 'the record is not a JSON object');
      continue;
    }
    yield { line, fields: value as Record<string, unknown> };
  }
}

export function readImportRows(
  format: ImportFormat,
  chunks: AsyncIterable<Uint8Array | string>,
): AsyncIterable<ImportRow> {
  switch (format) {
    case 'text/csv':
      return rowsFromCsv(chunks);
    case 'application/x-ndjson':
      return rowsFromJson(readNdjson(chunks));
    case 'application/json':
      return rowsFromJson(readJsonArray(chunks));
  }
}

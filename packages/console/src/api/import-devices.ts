// Device import (POST /products/:id/devices/import): the body is the CSV as is, and the answer
// is NDJSON, one line per row as it is stored or refused, then the summary. openapi-fetch
// serialises JSON only, so this one call uses fetch().
import { toApiError } from './api-error.ts';

export interface ImportedDevice {
  line: number;
  id: number;
  name: string;
  secret: string;
}

export interface RefusedRow {
  line: number;
  error: { code: string; message: string };
}

export interface ImportResult {
  created: ImportedDevice[];
  refused: RefusedRow[];
  summary: { created: number; failed: number; error?: { code: string; message: string } };
}

/** Splits the NDJSON answer into created devices, refused rows and the summary. */
export function parseImportAnswer(ndjson: string): ImportResult {
  const result: ImportResult = { created: [], refused: [], summary: { created: 0, failed: 0 } };
  for (const line of ndjson.split('\n')) {
    if (line.trim() === '') continue;
    const row = JSON.parse(line) as Partial<
      ImportedDevice & RefusedRow & { summary: ImportResult['summary'] }
    >;
    if (row.summary) result.summary = row.summary;
    else if (row.error) result.refused.push(row as RefusedRow);
    else result.created.push(row as ImportedDevice);
  }
  return result;
}

export async function importDevices(
  productId: number,
  csv: string,
  csrfToken: string | null,
): Promise<ImportResult> {
  let response: Response;
  try {
    response = await fetch(`/api/v1/products/${productId}/devices/import`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'text/csv', ...(csrfToken && { 'x-csrf-token': csrfToken }) },
      body: csv,
    });
  } catch (error) {
    throw toApiError(0, { code: 'NETWORK', message: `cannot reach the server: ${(error as Error).message}` });
  }
  const text = await response.text();
  if (!response.ok) {
    let body: unknown = null;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: toApiError says the status
    }
    throw toApiError(response.status, body);
  }
  return parseImportAnswer(text);
}

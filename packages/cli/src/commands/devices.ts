// `updraft devices import FILE --product KEY`: streams a device file to a running server's
// streamed import (POST /products/{id}/devices/import), never holding it in memory, and writes the
// server's answer as it comes: one NDJSON line per row, each created device with its secret (the
// only time the server shows it), each refused row with its error code. Progress and the result
// go to stderr, so that `… > devices.ndjson` keeps the secrets and nothing else.
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { parseArgs } from 'node:util';
import { type ErrorCode, errorCodes, UpdraftError } from '@updraft/core';
import { fail } from '../output.ts';

const usage = `usage: updraft devices import FILE --product KEY [options]
  FILE              .csv with a header row: name[,gateway][,tags][,version] (tags separated by ;),
                    or .ndjson / .jsonl (one {"name",…} a line) or .json (an array)
  --product KEY     the product's key
  --server URL      the server (default http://localhost:8080)
  --api-key KEY     an operator's API key (or UPDRAFT_API_KEY)
  --secrets FILE    write the answer lines there (a new file, mode 0600) instead of stdout
  --quiet           no progress lines
exit status: 0 every row imported; 1 the import failed (CODE: message on stderr); 2 bad usage or
an unreadable FILE; 3 imported, but some rows were refused (each with its code on stderr)
`;

const formats: Record<string, string> = {
  '.csv': 'text/csv',
  '.ndjson': 'application/x-ndjson',
  '.jsonl': 'application/x-ndjson',
  '.json': 'application/json',
};

/** Refused rows printed on stderr; the rest are counted (all are in the answer lines). */
const shownRefusals = 20;

const parse = (args: string[]) =>
  parseArgs({
    args,
    allowPositionals: true,
    options: {
      product: { type: 'string' },
      server: { type: 'string' },
      'api-key': { type: 'string' },
      secrets: { type: 'string' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });

type AnswerLine =
  | { line: number; id: number; name: string; secret: string }
  | { line: number; error: { code: string; message: string } }
  | { summary: { created: number; failed: number; error?: { code: string; message: string } } };

/** The server's refusal as a coded error (its code when Updraft knows it). */
async function refusal(response: Response, what: string): Promise<UpdraftError> {
  const text = await response.text();
  let answer: { code?: string; message?: string } = {};
  try {
    answer = JSON.parse(text) as typeof answer;
  } catch {}
  const code = (errorCodes as readonly string[]).includes(answer.code ?? '')
    ? (answer.code as ErrorCode)
    : 'INTERNAL';
  return new UpdraftError(code, `${what} answered ${response.status}: ${answer.message ?? text}`);
}

async function call(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    const cause = (error as Error & { cause?: Error }).cause?.message ?? (error as Error).message;
    throw new UpdraftError('INTERNAL', `cannot reach ${url}: ${cause}`);
  }
}

async function productIdOf(api: string, headers: Record<string, string>, key: string): Promise<number> {
  let cursor = '';
  do {
    const url = `${api}/products?q=${encodeURIComponent(key)}&limit=100${cursor}`;
    const response = await call(url, { headers });
    if (!response.ok) throw await refusal(response, 'GET /products');
    const page = (await response.json()) as {
      items: { id: number; productKey: string }[];
      nextCursor: string | null;
    };
    const found = page.items.find((p) => p.productKey === key);
    if (found) return found.id;
    cursor = page.nextCursor ? `&cursor=${encodeURIComponent(page.nextCursor)}` : '';
  } while (cursor);
  throw new UpdraftError('NOT_FOUND', `no product has the key ${key}`, { resource: 'product' });
}

/** The answer's lines, those of each chunk received together (written out with one write). */
async function* lineGroupsOf(body: ReadableStream<Uint8Array>): AsyncGenerator<string[]> {
  const decoder = new TextDecoder();
  let rest = '';
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    rest += decoder.decode(chunk, { stream: true });
    const lines = rest.split('\n');
    rest = lines.pop()!;
    yield lines.filter((l) => l.length > 0);
  }
  if (rest.trim()) yield [rest];
}

export async function run(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    process.stderr.write(`updraft: ${(error as Error).message}\n${usage}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [sub, file, ...extra] = positionals;
  if (values.help) {
    process.stdout.write(usage);
    return 0;
  }
  if (sub !== 'import' || !file || extra.length > 0 || !values.product) {
    process.stderr.write(usage);
    return 2;
  }
  const type = formats[extname(file).toLowerCase()];
  if (!type) {
    process.stderr.write(`updraft: ${file}: the name ends in .csv, .ndjson, .jsonl or .json\n`);
    return 2;
  }
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (error) {
    process.stderr.write(`updraft: cannot read ${file}: ${(error as Error).message}\n`);
    return 2;
  }
  const apiKey = values['api-key'] ?? process.env['UPDRAFT_API_KEY'];
  if (!apiKey) {
    process.stderr.write(`updraft: give --api-key (or UPDRAFT_API_KEY)\n${usage}`);
    return 2;
  }
  const api = `${(values.server ?? 'http://localhost:8080').replace(/\/$/, '')}/api/v1`;
  const headers = { authorization: `Bearer ${apiKey}` };
  const quiet = values.quiet ?? false;
  const out = values.secrets
    ? await open(values.secrets, 'wx', 0o600).catch((error: Error) => error)
    : undefined;
  if (out instanceof Error) {
    process.stderr.write(`updraft: cannot create ${values.secrets}: ${out.message}\n`);
    return 2;
  }
  const write = (text: string) =>
    out
      ? out.write(text).then(() => {})
      : new Promise<void>((resolve) => {
          if (process.stdout.write(text)) resolve();
          else process.stdout.once('drain', resolve);
        });
  const started = performance.now();
  let sent = 0;
  let created = 0;
  let refused = 0;
  const progress = () => {
    const s = (performance.now() - started) / 1000;
    const mb = (n: number) => (n / 1e6).toFixed(1);
    const text = `${created + refused} rows answered (${created} created, ${refused} refused), ${mb(sent)} of ${mb(size)} MB sent, ${s.toFixed(0)} s`;
    process.stderr.write(process.stderr.isTTY ? `\r${text}\x1b[K` : `${text}\n`);
  };
  const ticker = quiet ? undefined : setInterval(progress, process.stderr.isTTY ? 500 : 5000);
  try {
    const productId = await productIdOf(api, headers, values.product);
    const counted = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        sent += chunk.length;
        done(null, chunk);
      },
    });
    const path = `/products/${productId}/devices/import`;
    const response = await call(`${api}${path}`, {
      method: 'POST',
      headers: { ...headers, 'content-type': type, 'content-length': String(size) },
      body: Readable.toWeb(createReadStream(file).pipe(counted)) as ReadableStream,
      duplex: 'half',
    } as RequestInit);
    if (!response.ok || !response.body) throw await refusal(response, `POST ${path}`);
    let summary: Extract<AnswerLine, { summary: unknown }>['summary'] | undefined;
    for await (const texts of lineGroupsOf(response.body)) {
      let kept = '';
      for (const text of texts) {
        const line = JSON.parse(text) as AnswerLine;
        if ('summary' in line) {
          summary = line.summary;
          continue;
        }
        if ('error' in line) {
          refused += 1;
          if (refused <= shownRefusals) {
            process.stderr.write(
              `${process.stderr.isTTY && !quiet ? '\r\x1b[K' : ''}line ${line.line}: ${line.error.code}: ${line.error.message}\n`,
            );
          }
        } else created += 1;
        kept += `${text}\n`;
      }
      // One write per chunk of the answer, not per line: a file write is a round trip each.
      if (kept) await write(kept);
    }
    if (!summary) throw new UpdraftError('INTERNAL', `the answer to POST ${path} ended without its summary`);
    if (ticker) {
      clearInterval(ticker);
      if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
    }
    const s = (performance.now() - started) / 1000;
    if (refused > shownRefusals) process.stderr.write(`… and ${refused - shownRefusals} more refused rows\n`);
    process.stderr.write(
      `imported ${summary.created} devices, ${summary.failed} rows refused, in ${s.toFixed(1)} s ` +
        `(${((summary.created + summary.failed) / s).toFixed(0)} rows/s)\n`,
    );
    if (summary.error) {
      throw new UpdraftError(
        (errorCodes as readonly string[]).includes(summary.error.code)
          ? (summary.error.code as ErrorCode)
          : 'INTERNAL',
        `the import stopped: ${summary.error.message}`,
      );
    }
    return summary.failed > 0 ? 3 : 0;
  } catch (error) {
    return fail(error);
  } finally {
    if (ticker) clearInterval(ticker);
    await out?.close();
  }
}

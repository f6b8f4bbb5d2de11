// What the device benchmarks set up the same way: a product with devices imported through the
// API (which hands back their secrets), a firmware package uploaded as an operator would, and a
// plan to start by hand; and their command-line options.
import { randomBytes } from 'node:crypto';
import type { App } from '../../packages/server/src/app.ts';

/** `--name value` from the bench's arguments, or the fallback. */
export function option(argv: string[], name: string, fallback: string): string {
  const at = argv.indexOf(`--${name}`);
  return at >= 0 && argv[at + 1] ? argv[at + 1]! : fallback;
}

export interface DeviceLogin {
  productKey: string;
  name: string;
  secret: string;
}

export interface PlanFleet {
  planId: number;
  logins: DeviceLogin[];
}

function multipart(version: string, content: Buffer) {
  const boundary = 'updraft-bench';
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="version"\r\n\r\n${version}\r\n`),
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="app.bin"\r\n`),
    Buffer.from('Content-Type: application/octet-stream\r\n\r\n'),
    content,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

/** `count` devices on version 1.0, a random `firmwareBytes` package 2.0, a plan started by hand. */
export async function createPlanFleet(
  app: App,
  {
    name,
    count,
    firmwareBytes,
    protocols,
  }: { name: string; count: number; firmwareBytes: number; protocols?: string[] },
): Promise<PlanFleet> {
  const key = await app.services.accounts.createApiKey(null, { name: 'bench', role: 'admin' });
  const headers = { authorization: `Bearer ${key.secret}` };
  const post = async (url: string, payload: unknown) => {
    const res = await app.http.inject({ method: 'POST', url, headers, payload: payload as object });
    if (res.statusCode >= 300) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
    return res;
  };
  const product = (await post('/api/v1/products', { name, ...(protocols && { protocols }) })).json();
  const rows = Array.from({ length: count }, (_, i) => ({ name: `d${i}`, versions: { default: '1.0' } }));
  const imported = await post(`/api/v1/products/${product.id}/devices/import`, rows);
  const logins: DeviceLogin[] = [];
  for (const line of imported.body.trim().split('\n')) {
    const row = JSON.parse(line) as { name?: string; secret?: string; error?: unknown };
    if (row.error) throw new Error(`import refused a row: ${line}`);
    if (row.name && row.secret)
      logins.push({ productKey: product.productKey, name: row.name, secret: row.secret });
  }
  if (logins.length !== count) throw new Error(`imported ${logins.length} of ${count} devices`);
  const form = multipart('2.0', randomBytes(firmwareBytes));
  const upload = await app.http.inject({
    method: 'POST',
    url: `/api/v1/products/${product.id}/firmware`,
    headers: { ...headers, ...form.headers },
    payload: form.payload,
  });
  if (upload.statusCode !== 201) throw new Error(upload.body);
  const plans = app.services.plans;
  const plan = await plans.createPlan(
    {
      name,
      productId: product.id,
      firmwarePackageId: upload.json().id,
      target: { kind: 'all' },
      start: { mode: 'manual' },
    },
    'bench',
  );
  await plans.publish(plan.id, 'bench');
  return { planId: plan.id, logins };
}

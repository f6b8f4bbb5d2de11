// The management API as the simulator uses it: signed in with an API key or an admin's password,
// it reads the product and the plan, imports the simulated devices (the import's answer is the
// only place their secrets appear) and publishes or starts the plan.
import { type ErrorCode, errorCodes, UpdraftError } from '@updraft/core';

export type ManagementAuth = { apiKey: string } | { username: string; password: string };

export interface ProductView {
  id: number;
  productKey: string;
  nodeType: 'direct' | 'gateway' | 'subdevice';
}

export interface PlanView {
  id: number;
  productId: number;
  module: string;
  status: string;
  mode: 'silent' | 'manual';
  sourceVersion: string | null;
  targetVersion: string;
  start: { mode: string };
  counts: Record<string, number>;
}

export interface ImportedDevice {
  id: number;
  name: string;
  secret: string;
}

export interface ImportRow {
  name: string;
  gatewayId?: number;
  versions?: Record<string, string>;
}

export async function createManagementClient(server: string, auth: ManagementAuth) {
  const base = `${server.replace(/\/$/, '')}/api/v1`;
  let headers: Record<string, string>;
  if ('apiKey' in auth) {
    headers = { authorization: `Bearer ${auth.apiKey}` };
  } else {
    const login = await send('POST', '/auth/login', {}, { username: auth.username, password: auth.password });
    const cookie = login.headers.get('set-cookie')?.split(';')[0] ?? '';
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    headers = { cookie, 'x-csrf-token': csrfToken };
  }

  async function send(
    method: string,
    path: string,
    extra: Record<string, string>,
    body?: unknown,
    contentType = 'application/json',
  ): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        method,
        headers: { ...extra, ...(body !== undefined && { 'content-type': contentType }) },
        ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
        // A server that hangs must not hang the run's end (its summary).
        signal: AbortSignal.timeout(120_000),
      });
    } catch (error) {
      throw new UpdraftError('INTERNAL', `cannot reach ${base}: ${(error as Error).message}`);
    }
    if (response.ok) return response;
    const text = await response.text();
    let answer: { code?: string; message?: string } = {};
    try {
      answer = JSON.parse(text) as typeof answer;
    } catch {}
    const code = (errorCodes as readonly string[]).includes(answer.code ?? '')
      ? (answer.code as ErrorCode)
      : 'INTERNAL';
    throw new UpdraftError(code, `${method} ${path} answered ${response.status}: ${answer.message ?? text}`);
  }
  const json = async <T>(method: string, path: string, body?: unknown): Promise<T> =>
    (await (await send(method, path, headers, body)).json()) as T;

  return {
    getProduct: (id: number) => json<ProductView>('GET', `/products/${id}`),
    getPlan: (id: number) => json<PlanView>('GET', `/plans/${id}`),
    publishPlan: (id: number) => json<PlanView>('POST', `/plans/${id}/publish`, {}),
    startPlan: (id: number) => json<PlanView>('POST', `/plans/${id}/start`, {}),
    /** An end-user token for the owner's app of these devices (docs/enduser-api.md). */
    issueEndUserToken: (deviceIds: number[], ttlSeconds: number) =>
      json<{ token: string }>('POST', '/enduser-tokens', { deviceIds, label: 'simulator', ttlSeconds }),

    /** Imports the rows as NDJSON; any refused row is an error (names are the simulator's own). */
    async importDevices(productId: number, rows: ImportRow[]): Promise<ImportedDevice[]> {
      const body = rows.map((r) => JSON.stringify(r)).join('\n');
      const response = await send(
        'POST',
        `/products/${productId}/devices/import`,
        headers,
        `${body}\n`,
        'application/x-ndjson',
      );
      const created: ImportedDevice[] = [];
      for (const line of (await response.text()).split('\n')) {
        if (line.trim() === '') continue;
        const item = JSON.parse(line) as {
          id?: number;
          name?: string;
          secret?: string;
          error?: { code: string; message: string };
          summary?: { error?: { message: string } };
        };
        if (item.error || item.summary?.error) {
          const error = item.error ?? item.summary!.error!;
          throw new UpdraftError('VALIDATION_FAILED', `the device import refused a row: ${error.message}`);
        }
        if (item.id !== undefined) created.push({ id: item.id, name: item.name!, secret: item.secret! });
      }
      return created;
    },
  };
}

export type ManagementClient = Awaited<ReturnType<typeof createManagementClient>>;

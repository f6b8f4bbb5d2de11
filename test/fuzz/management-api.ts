// The management API, every route of /openapi.json, as each role and as nobody: generated and
// mutated paths, queries and bodies. Rules: no 5xx; every refusal a JSON body whose code is in
// the catalogue; a refused request changes nothing in the database (SQLite's total_changes()).
import { createHash } from 'node:crypto';
import { errorCodes } from '@updraft/core';
import fc from 'fast-check';
import type { InjectOptions } from 'fastify';
import { sql } from 'kysely';
import type { DeviceFleet } from '../../packages/server/src/test-support/device-fleet.ts';
import { anyJson, type Schema, urlText, valueFor } from './arbitraries.ts';
import { type FuzzReport, forBudget, isConsoleNotBuilt } from './report.ts';

interface Operation {
  method: string;
  path: string;
  query: { name: string; schema: Schema }[];
  body: { type: string; schema: Schema } | null;
}

const codes = new Set<string>(errorCodes);

/** How long one request may go unanswered before it is a finding (the run then goes on). */
const requestLimitMs = 10_000;
const noAnswer = Symbol('no answer');

function answerWithin<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    work,
    new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(noAnswer), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

function operationsOf(spec: { paths: Record<string, Record<string, Record<string, unknown>>> }): Operation[] {
  const operations: Operation[] = [];
  for (const [path, methods] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      // An event stream never ends by design (GET /events): an answer that stays open is no finding.
      const ok = (op['responses'] as Record<string, { content?: Record<string, unknown> }> | undefined)?.[
        '200'
      ];
      if (ok?.content?.['text/event-stream']) continue;
      const parameters = (op['parameters'] ?? []) as { name: string; in: string; schema: Schema }[];
      const content = (op['requestBody'] as { content?: Record<string, { schema: Schema }> } | undefined)
        ?.content;
      const type = content ? Object.keys(content)[0]! : null;
      operations.push({
        method: method.toUpperCase(),
        path,
        query: parameters.filter((p) => p.in === 'query'),
        body: type ? { type, schema: content![type]!.schema } : null,
      });
    }
  }
  return operations;
}

type Caller = 'admin' | 'operator' | 'viewer' | 'nobody';

export async function fuzzManagementApi(f: DeviceFleet, budgetMs: number, report: FuzzReport, seed: number) {
  const target = 'management';
  const app = f.t.app;
  // Roles sign in with cookie sessions: an API key's use is itself a write (last used).
  const headers: Record<Caller, Record<string, string>> = { admin: {}, operator: {}, viewer: {}, nobody: {} };
  for (const role of ['operator', 'viewer'] as const) {
    await app.services.accounts.createUser({
      username: `fuzz-${role}`,
      password: `Fuzz-${role}-password-1`,
      role,
    });
  }
  for (const [role, username, password] of [
    ['admin', 'admin', 'admin-password-for-tests'],
    ['operator', 'fuzz-operator', 'Fuzz-operator-password-1'],
    ['viewer', 'fuzz-viewer', 'Fuzz-viewer-password-1'],
  ] as const) {
    const session = await app.services.accounts.login(username, password);
    headers[role] = { cookie: `updraft_session=${session.token}`, 'x-csrf-token': session.csrfToken };
  }
  const spec = (await app.http.inject({ method: 'GET', url: '/openapi.json' })).json();
  const operations = operationsOf(spec).filter((op) => op.path.startsWith('/api/'));
  report.count('management.routes', operations.length);
  const db = app.database.db;
  const changes = async () =>
    Number((await sql<{ n: number }>`select total_changes() as n`.execute(db)).rows[0]!.n);
  // The device-upgrade log records refused operator actions on purpose ("rejected ignored"): an
  // audit trail, not state. Its ids move sqlite_sequence. The live-event feed carries those log
  // entries to consoles (ADR 0017), and the audit log records changes: streams, not state.
  const audit = new Set(['device_upgrade_logs', 'sqlite_sequence', 'live_events', 'audit_log']);
  const tables = (
    await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(db)
  ).rows
    .map((r) => r.name)
    .filter((name) => !audit.has(name));
  /** Every row of every table, hashed: what the database holds, whatever wrote and undid it. */
  const digest = async () => {
    const hash = createHash('sha256');
    for (const table of tables) {
      const rows = await sql.raw(`select * from "${table}" order by rowid`).execute(db);
      hash.update(table).update(JSON.stringify(rows.rows));
    }
    return hash.digest('hex');
  };
  let known = await digest();

  const request = fc
    .tuple(fc.constantFrom(...operations), fc.constantFrom<Caller>('admin', 'operator', 'viewer', 'nobody'))
    .chain(([op, caller]) =>
      fc.record({
        op: fc.constant(op),
        caller: fc.constant(caller),
        params: fc.array(urlText, { minLength: 4, maxLength: 4 }),
        query: fc.record(Object.fromEntries(op.query.map((q) => [q.name, valueFor(q.schema)])), {
          requiredKeys: [],
        }),
        extraQuery: fc.option(fc.tuple(fc.string({ maxLength: 6 }), urlText), { freq: 6 }),
        body:
          op.body?.type === 'application/json'
            ? valueFor(op.body.schema)
            : fc.oneof(fc.string({ maxLength: 200 }), anyJson),
        mutateMethod: fc.option(fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE'), { freq: 15 }),
      }),
    );

  await forBudget('management', budgetMs, async (batch) => {
    for (const input of fc.sample(request, { numRuns: 25, seed: seed + batch })) {
      let index = 0;
      const path = input.op.path.replace(/\{\w+\}/g, () =>
        encodeURIComponent(input.params[index++ % 4]!.toWellFormed()),
      );
      const search = new URLSearchParams();
      for (const [name, value] of Object.entries(input.query as Record<string, unknown>)) {
        for (const item of Array.isArray(value) ? value : [value])
          search.append(name, typeof item === 'string' ? item : JSON.stringify(item));
      }
      if (input.extraQuery) search.append(input.extraQuery[0], input.extraQuery[1]);
      const method = (input.mutateMethod ?? input.op.method) as InjectOptions['method'];
      const url = `${path}${search.size > 0 ? `?${search}` : ''}`;
      const hasBody =
        method !== 'GET' && method !== 'DELETE' && (input.op.body !== null || input.mutateMethod);
      const options: InjectOptions = {
        method,
        url,
        headers: {
          ...headers[input.caller],
          ...(hasBody && {
            'content-type':
              input.op.body?.type === 'application/json' || typeof input.body !== 'string'
                ? 'application/json'
                : (input.op.body?.type ?? 'text/plain'),
          }),
        },
        ...(hasBody && { payload: typeof input.body === 'string' ? input.body : JSON.stringify(input.body) }),
      };
      const before = await changes();
      const stateBefore = known;
      let res: Awaited<ReturnType<typeof app.http.inject>>;
      try {
        res = await answerWithin(app.http.inject(options), requestLimitMs);
      } catch (error) {
        if (error === noAnswer) {
          report.find(target, `no answer within ${requestLimitMs} ms`, {
            method,
            url,
            body: options.payload,
          });
          continue;
        }
        // light-my-request cannot even build some URLs ("/\\x"): nothing reached the server.
        if (String(error).includes('Invalid URL')) {
          report.count(`${target}.unsendable`);
          continue;
        }
        report.find(target, 'crash', { method, url, error: String(error) });
        continue;
      }
      report.count('management.requests');
      report.count(`management.status.${Math.floor(res.statusCode / 100)}xx`);
      const shown = {
        caller: input.caller,
        method,
        url,
        body: options.payload,
        status: res.statusCode,
        answer: res.body.slice(0, 200),
      };
      if (isConsoleNotBuilt(res)) {
        report.count('management.console-not-built');
        continue;
      }
      if (res.statusCode >= 500) report.find(target, '5xx', shown);
      if (res.statusCode >= 400) {
        let code: unknown;
        try {
          code = (res.json() as { code?: unknown }).code;
        } catch {
          code = undefined;
        }
        if (typeof code !== 'string' || !codes.has(code))
          report.find(target, 'refusal without a code', shown);
        // total_changes() counts a claim written and released again; the rows say what stayed.
        if ((await changes()) !== before) {
          known = await digest();
          if (known !== stateBefore) report.find(target, 'refused input changed state', shown);
        }
      } else if ((await changes()) !== before) {
        known = await digest();
      }
    }
  });
}

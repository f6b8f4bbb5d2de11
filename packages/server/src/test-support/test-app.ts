// A whole Updraft app on a fresh test database, driven through inject().
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Role } from '@updraft/core';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { type App, buildApp } from '../app.ts';
import { loadConfig } from '../config/config.ts';
import { createManualClock } from './manual-clock.ts';
import { createTestDatabase, type TestDatabase } from './test-database.ts';

export const adminPassword = 'admin-password-for-tests';

export interface Caller {
  request(options: InjectOptions): Promise<LightMyRequestResponse>;
  get(url: string): Promise<LightMyRequestResponse>;
  post(url: string, payload?: unknown): Promise<LightMyRequestResponse>;
  patch(url: string, payload?: unknown): Promise<LightMyRequestResponse>;
  delete(url: string): Promise<LightMyRequestResponse>;
}

export interface TestApp {
  app: App;
  testDatabase: TestDatabase;
  clock: ReturnType<typeof createManualClock>;
  dataDir: string;
  admin: Caller;
  anonymous: Caller;
  /** A caller with an API key of the given role. */
  as(role: Role): Promise<Caller>;
  close(): Promise<void>;
}

function makeCaller(app: App, headers: Record<string, string>): Caller {
  const request = (options: InjectOptions) =>
    app.http.inject({ ...options, headers: { ...headers, ...(options.headers as Record<string, string>) } });
  return {
    request,
    get: (url) => request({ method: 'GET', url }),
    post: (url, payload) =>
      request({ method: 'POST', url, ...(payload !== undefined && { payload: payload as object }) }),
    patch: (url, payload) => request({ method: 'PATCH', url, payload: payload as object }),
    delete: (url) => request({ method: 'DELETE', url }),
  };
}

/** `settings` override by key; `env` goes through the environment variables, as at boot. */
export async function createTestApp(
  settings: Record<string, unknown> = {},
  env: Record<string, string> = {},
): Promise<TestApp> {
  const testDatabase = await createTestDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'updraft-data-'));
  const clock = createManualClock(Date.now());
  const config = loadConfig(env, { dataDir, logLevel: 'silent', adminPassword, ...settings });
  const app = await buildApp(config, { clock, database: testDatabase.database });
  const adminKey = await app.services.accounts.createApiKey(null, { name: 'test admin', role: 'admin' });
  const keys = new Map<Role, Caller>();
  return {
    app,
    testDatabase,
    clock,
    dataDir,
    admin: makeCaller(app, { authorization: `Bearer ${adminKey.secret}` }),
    anonymous: makeCaller(app, {}),
    async as(role) {
      let caller = keys.get(role);
      if (!caller) {
        const key = await app.services.accounts.createApiKey(null, { name: `test ${role}`, role });
        caller = makeCaller(app, { authorization: `Bearer ${key.secret}` });
        keys.set(role, caller);
      }
      return caller;
    },
    async close() {
      await app.close();
      await testDatabase.dispose();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

// The README's first steps, as a newcomer takes them: start the server, read the printed
// address and admin password, sign in, create a product, find every route in /openapi.json.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

const root = join(import.meta.dirname, '..');

function startServer(env: Record<string, string>): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, [join(root, 'packages/cli/src/main.ts'), 'serve'], {
    env: { PATH: process.env['PATH'] ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => {
    out += d;
  });
  child.stderr!.on('data', (d) => {
    out += d;
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 20_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      clearInterval(poll);
      reject(new Error(`server exited with ${code}:\n${out}`));
    });
    const poll = setInterval(() => {
      if (out.includes('API docs')) {
        clearInterval(poll);
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve({ child, output: () => out });
      }
    }, 50);
  });
}

describe('updraft serve on embedded defaults', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'updraft-serve-'));
  let server: Awaited<ReturnType<typeof startServer>>;
  before(async () => {
    server = await startServer({
      UPDRAFT_DATA_DIR: dataDir,
      UPDRAFT_HTTP_PORT: '0',
      UPDRAFT_MQTT_PORT: '0',
      UPDRAFT_HTTP_HOST: '127.0.0.1',
      UPDRAFT_LOG_LEVEL: 'warn',
    });
  });
  after(() => {
    server?.child.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints where it listens and the first admin password, which signs in', async () => {
    const out = server.output();
    const api = /API\s+(http:\/\/\S+)\/api\/v1/.exec(out)?.[1];
    const password = /^\s+password\s+(\S+)$/m.exec(out)?.[1];
    assert.ok(api, out);
    assert.ok(password, out);
    assert.equal(/Console\s+(http:\/\/\S+)\//.exec(out)?.[1], api);
    const login = await fetch(`${api}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password }),
    });
    assert.equal(login.status, 200);
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    const created = await fetch(`${api}/api/v1/products`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
      body: JSON.stringify({ name: 'Thermostat' }),
    });
    assert.equal(created.status, 201);
    const spec = (await (await fetch(`${api}/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    assert.equal(spec.openapi, '3.1.0');
    assert.ok(spec.paths['/api/v1/products']);
    assert.ok(spec.paths['/api/v1/auth/login']);
    const docs = await fetch(`${api}/docs/`);
    assert.equal(docs.status, 200);
    assert.match(await docs.text(), /swagger/i);
  });

  it('refuses to start with a bad setting and names it', async () => {
    await assert.rejects(
      startServer({ UPDRAFT_DATA_DIR: dataDir, UPDRAFT_HTTP_PORT: 'eighty' }),
      (error: Error) =>
        error.message.includes('UPDRAFT_HTTP_PORT') && error.message.includes('exited with 1'),
    );
  });
});

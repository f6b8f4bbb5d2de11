// `updraft serve` as a child process, as a newcomer runs it, and the route list of an app built
// in-process, to hold the served OpenAPI document against.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');

export interface ServedUpdraft {
  child: ChildProcess;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** The base URL it printed for the API (`http://host:port`). */
  base: string;
  /** SIGTERM, and wait until it has exited. */
  stop(): Promise<void>;
}

/** Starts `updraft serve` with only PATH and `env`; resolves once it has printed its addresses. */
export function startServer(env: Record<string, string>): Promise<ServedUpdraft> {
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
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start:\n${out}`));
    }, 30_000);
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      clearInterval(poll);
      reject(new Error(`server exited with ${code}:\n${out}`));
    };
    child.on('exit', onExit);
    const poll = setInterval(() => {
      if (!out.includes('API docs')) return;
      clearInterval(poll);
      clearTimeout(timer);
      child.off('exit', onExit);
      const base = /API\s+(http:\/\/\S+)\/api\/v1/.exec(out)?.[1];
      if (!base) {
        child.kill('SIGKILL');
        reject(new Error(`no API address in:\n${out}`));
        return;
      }
      resolve({
        child,
        output: () => out,
        base,
        async stop() {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          await exited;
        },
      });
    }, 50);
  });
}

/** The first admin's one-time password, as `serve` printed it. */
export function printedPassword(output: string): string | undefined {
  return /^\s+password\s+(\S+)$/m.exec(output)?.[1];
}

/** Signs in with a password and returns headers that act as that user (cookie and CSRF token). */
export async function signIn(base: string, username: string, password: string) {
  const login = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (login.status !== 200) throw new Error(`sign-in answered ${login.status}: ${await login.text()}`);
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  return { cookie, 'x-csrf-token': csrfToken };
}

/**
 * Every method and path the Fastify router holds, read from `printRoutes({ commonPrefix: false })`:
 * a tree, four columns per level, each line a path segment and its methods. HEAD is left out
 * (Fastify adds it beside every GET); paths come back in OpenAPI's form, `{id}` for `:id`.
 */
export function routesOf(printed: string): { method: string; path: string }[] {
  const routes: { method: string; path: string }[] = [];
  const stack: string[] = [];
  for (const line of printed.split('\n')) {
    const match = /^([│ ]*)[├└]── (.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!match) continue;
    const depth = match[1]!.length / 4;
    stack.length = depth;
    stack.push(match[2]!);
    const path = stack.join('').replace(/:(\w+)/g, '{$1}');
    for (const method of (match[3] ?? '').split(', ').filter(Boolean)) {
      if (method !== 'HEAD') routes.push({ method, path });
    }
  }
  return routes;
}

/** Runs another `updraft` command to its end with only PATH and `env`. */
export function runUpdraft(
  args: string[],
  env: Record<string, string>,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [join(root, 'packages/cli/src/main.ts'), ...args], {
    env: { PATH: process.env['PATH'] ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => {
    stdout += d;
  });
  child.stderr!.on('data', (d) => {
    stderr += d;
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

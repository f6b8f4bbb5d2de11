// A first start that cannot bind a port stops at once with one line naming the setting, the port
// and the fix, exits non-zero and leaves nothing running and no admin whose password nobody saw;
// the next start that binds prints a password that signs in (issue 12).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { printedPassword, runUpdraft, signIn, startServer } from './support/serve-child.ts';

const main = join(import.meta.dirname, '..', 'packages/cli/src/main.ts');

/** Runs `updraft serve` expecting it to stop by itself; a start still running after 20 s fails. */
function serveUntilExit(env: Record<string, string>) {
  const child = spawn(process.execPath, [main, 'serve'], {
    env: { PATH: process.env['PATH'] ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  return new Promise<{ code: number | null; stdout: string; stderr: string; hung: boolean }>((resolve) => {
    let hung = false;
    const guard = setTimeout(() => {
      hung = true;
      child.kill('SIGKILL');
    }, 20_000);
    child.on('exit', (code) => {
      clearTimeout(guard);
      resolve({ code, stdout, stderr, hung });
    });
  });
}

async function occupyPort(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
  return { server, port: (server.address() as { port: number }).port };
}

function portIsTaken(port: number): Promise<boolean> {
  const probe = createServer();
  return new Promise((resolve) => {
    probe.once('error', () => resolve(true));
    probe.listen(port, '0.0.0.0', () => probe.close(() => resolve(false)));
  });
}

async function userCount(env: Record<string, string>): Promise<number> {
  const listed = await runUpdraft(['users', 'list'], env);
  assert.equal(listed.status, 0, listed.stderr);
  return listed.stdout.split('\n').filter((line) => /\badmin\b/.test(line)).length;
}

describe('updraft serve with a port already taken', () => {
  const dirs: string[] = [];
  const dataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'updraft-first-start-'));
    dirs.push(dir);
    return dir;
  };
  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('stops on a taken HTTP port with one line naming UPDRAFT_HTTP_PORT, and the next start prints a usable password', async () => {
    const taken = await occupyPort();
    const env = {
      UPDRAFT_DATA_DIR: dataDir(),
      UPDRAFT_MQTT_PORT: '0',
      UPDRAFT_COAP_PORT: '0',
      UPDRAFT_LOG_LEVEL: 'warn',
    };
    try {
      const run = await serveUntilExit({ ...env, UPDRAFT_HTTP_PORT: String(taken.port) });
      assert.equal(run.hung, false, `serve did not stop by itself:\n${run.stdout}${run.stderr}`);
      assert.equal(run.code, 1);
      const lines = run.stderr.trim().split('\n');
      assert.equal(lines.length, 1, run.stderr);
      assert.match(lines[0]!, new RegExp(`UPDRAFT_HTTP_PORT: port ${taken.port} .*already in use`));
      assert.doesNotMatch(run.stdout, /password/);
    } finally {
      taken.server.close();
    }
    assert.equal(await userCount(env), 0, 'no admin was created by the start that failed');
    const server = await startServer({ ...env, UPDRAFT_HTTP_PORT: '0', UPDRAFT_HTTP_HOST: '127.0.0.1' });
    try {
      const password = printedPassword(server.output());
      assert.ok(password, server.output());
      await signIn(server.base, 'admin', password);
    } finally {
      await server.stop();
    }
  });

  it('stops on a taken MQTT port naming UPDRAFT_MQTT_PORT and UPDRAFT_MQTT_URL, with HTTP closed again', async () => {
    const taken = await occupyPort();
    const http = await occupyPort();
    const httpPort = http.port;
    http.server.close();
    const env = {
      UPDRAFT_DATA_DIR: dataDir(),
      UPDRAFT_HTTP_PORT: String(httpPort),
      UPDRAFT_LOG_LEVEL: 'warn',
    };
    try {
      const run = await serveUntilExit({ ...env, UPDRAFT_MQTT_PORT: String(taken.port) });
      assert.equal(run.hung, false, `serve did not stop by itself:\n${run.stdout}${run.stderr}`);
      assert.equal(run.code, 1);
      const lines = run.stderr.trim().split('\n');
      assert.equal(lines.length, 1, run.stderr);
      assert.match(lines[0]!, new RegExp(`UPDRAFT_MQTT_PORT: port ${taken.port} .*already in use`));
      assert.match(lines[0]!, new RegExp(`UPDRAFT_MQTT_URL=mqtt://localhost:${taken.port}`));
    } finally {
      taken.server.close();
    }
    assert.equal(await portIsTaken(httpPort), false, 'the HTTP port was let go');
    assert.equal(await userCount(env), 0, 'no admin was created by the start that failed');
  });

  it('stops on a taken CoAP port naming UPDRAFT_COAP_PORT, with HTTP and MQTT closed again', async () => {
    const udp = createSocket('udp4');
    await new Promise<void>((resolve) => udp.bind(0, '0.0.0.0', resolve));
    const taken = udp.address().port;
    const http = await occupyPort();
    const httpPort = http.port;
    http.server.close();
    const mqtt = await occupyPort();
    const mqttPort = mqtt.port;
    mqtt.server.close();
    const env = {
      UPDRAFT_DATA_DIR: dataDir(),
      UPDRAFT_HTTP_PORT: String(httpPort),
      UPDRAFT_MQTT_PORT: String(mqttPort),
      UPDRAFT_LOG_LEVEL: 'warn',
    };
    try {
      const run = await serveUntilExit({ ...env, UPDRAFT_COAP_PORT: String(taken) });
      assert.equal(run.hung, false, `serve did not stop by itself:\n${run.stdout}${run.stderr}`);
      assert.equal(run.code, 1);
      const lines = run.stderr.trim().split('\n');
      assert.equal(lines.length, 1, run.stderr);
      assert.match(
        lines[0]!,
        new RegExp(`^updraft: cannot start: UPDRAFT_COAP_PORT: port ${taken} .*already in use`),
      );
    } finally {
      udp.close();
    }
    assert.equal(await portIsTaken(httpPort), false, 'the HTTP port was let go');
    assert.equal(await portIsTaken(mqttPort), false, 'the MQTT port was let go');
    assert.equal(await userCount(env), 0, 'no admin was created by the start that failed');
  });

  it('stops at once on the default MQTT port when a broker already holds 1883', async (t) => {
    if (!(await portIsTaken(1883))) {
      t.skip('port 1883 is free here: nothing holds the default MQTT port');
      return;
    }
    const run = await serveUntilExit({
      UPDRAFT_DATA_DIR: dataDir(),
      UPDRAFT_HTTP_PORT: '0',
      UPDRAFT_LOG_LEVEL: 'warn',
    });
    assert.equal(run.hung, false, `serve did not stop by itself:\n${run.stdout}${run.stderr}`);
    assert.equal(run.code, 1);
    assert.match(
      run.stderr.trim(),
      /^updraft: cannot start: UPDRAFT_MQTT_PORT: port 1883 on 0\.0\.0\.0 is already in use; .*UPDRAFT_MQTT_URL=mqtt:\/\/localhost:1883/,
    );
  });
});

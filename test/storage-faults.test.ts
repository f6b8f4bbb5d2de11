// Storage faults on real file systems (issue 14): small tmpfs mounts that are full or remounted
// read-only under `updraft serve`. At start each fault is one line naming the folder and the
// cause, with a non-zero exit and no stack; at run time an upload to a full or read-only firmware
// folder answers 507 or 503 with a code and the log names the folder; a database whose disk
// filled while running answers 507, not 500. Needs root (mount); skipped with the reason if not.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, statfsSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { testDatabaseKind } from '../packages/server/src/test-support/test-database.ts';
import {
  printedPassword,
  runUpdraft,
  type ServedUpdraft,
  signIn,
  startServer,
} from './support/serve-child.ts';

const root = mkdtempSync(join(tmpdir(), 'updraft-storage-'));
const mounted: string[] = [];

function mountTmpfs(name: string, sizeKiB: number): string {
  const path = join(root, name);
  mkdirSync(path, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKiB}k,mode=0700`, 'tmpfs', path], {
    stdio: 'pipe',
  });
  mounted.push(path);
  return path;
}
const remount = (path: string, mode: 'ro' | 'rw') =>
  execFileSync('mount', ['-o', `remount,${mode}`, path], { stdio: 'pipe' });

/** Writes a file until the file system has no more than `leave` bytes free; returns its path. */
function fill(folder: string, leave = 0): string {
  const path = join(folder, `fill-${Date.now()}-${Math.random().toString(36).slice(2)}`);
  const fd = openSync(path, 'w');
  const block = Buffer.alloc(64 * 1024, 7);
  const free = () => {
    const fs = statfsSync(folder);
    return fs.bavail * fs.bsize;
  };
  try {
    for (let size = block.length; size >= 1 && free() > leave; size = Math.floor(size / 2)) {
      while (free() - size >= leave) {
        try {
          writeSync(fd, block, 0, size);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
          break;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
  return path;
}

async function whyNotMounting(): Promise<string | false> {
  if (testDatabaseKind !== 'sqlite')
    return 'the folders under test are SQLite’s and the firmware store’s; the SQLite pass covers them';
  try {
    const probe = mountTmpfs('probe', 64);
    execFileSync('umount', [probe], { stdio: 'pipe' });
    mounted.pop();
    return false;
  } catch (error) {
    return `mounting a tmpfs is not permitted here (${(error as Error).message.split('\n')[0]}); run as root`;
  }
}

const skip = await whyNotMounting();

const base = {
  UPDRAFT_HTTP_PORT: '0',
  UPDRAFT_MQTT_PORT: '0',
  UPDRAFT_HTTP_HOST: '127.0.0.1',
  UPDRAFT_MQTT_HOST: '127.0.0.1',
  UPDRAFT_LOG_LEVEL: 'warn',
};

/** `serve` that must refuse: exit 1, one line on stderr with the code-free message, no stack. */
async function refusedStart(env: Record<string, string>): Promise<string> {
  const run = await runUpdraft(['serve'], { ...base, ...env });
  assert.equal(run.status, 1, `${run.stdout}\n${run.stderr}`);
  assert.doesNotMatch(run.stdout, /Updraft is running/);
  const lines = run.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line, not a stack:\n${run.stderr}`);
  assert.match(lines[0]!, /^updraft: cannot start: /);
  assert.doesNotMatch(run.stderr, /\n\s+at |unable to open database file|database or disk is full/);
  return lines[0]!;
}

describe('storage faults', { skip }, () => {
  after(() => {
    for (const path of mounted.reverse()) {
      try {
        execFileSync('umount', ['-l', path], { stdio: 'pipe' });
      } catch {}
    }
    rmSync(root, { recursive: true, force: true });
  });

  it('refuses to start on a read-only data folder, naming it and the cause', async () => {
    const disk = mountTmpfs('read-only', 4096);
    mkdirSync(join(disk, 'data'));
    remount(disk, 'ro');
    const line = await refusedStart({ UPDRAFT_DATA_DIR: join(disk, 'data') });
    assert.match(line, new RegExp(`data folder ${join(disk, 'data')} is on a read-only file system`));
    assert.match(line, /UPDRAFT_DATA_DIR/);
  });

  it('refuses to start when the data folder is missing on a read-only mount', async () => {
    const disk = mountTmpfs('read-only-empty', 4096);
    remount(disk, 'ro');
    const line = await refusedStart({ UPDRAFT_DATA_DIR: join(disk, 'updraft', 'data') });
    assert.match(line, new RegExp(`${join(disk, 'updraft', 'data')} does not exist and cannot be created`));
    assert.match(line, new RegExp(`${disk} is on a read-only file system`));
  });

  it('refuses to start on a full disk, with no database yet and with one', async () => {
    const disk = mountTmpfs('full', 24 * 1024);
    const data = join(disk, 'data');
    const env = { UPDRAFT_DATA_DIR: data, UPDRAFT_STORAGE_MIN_FREE_MB: '4' };
    // First start while there is room: the database, its first admin and secret are made.
    const server = await startServer({ ...base, ...env });
    await server.stop();
    const filler = fill(disk);
    let line = await refusedStart(env);
    assert.match(line, new RegExp(`data folder ${data} is full \\(0 KiB free`));
    // The same with no free space required: the probe write is refused.
    line = await refusedStart({ ...env, UPDRAFT_STORAGE_MIN_FREE_MB: '0' });
    assert.match(line, new RegExp(`${data} is full`));
    // Room for a few writes, but below the minimum: refused before saying it runs.
    rmSync(filler);
    fill(disk, 2 * 1048576);
    line = await refusedStart(env);
    assert.match(
      line,
      /is full \(\d KiB free|is full \(\d MiB free, Updraft needs 4 MiB: UPDRAFT_STORAGE_MIN_FREE_MB\)/,
    );
    // `updraft storage` says the same without starting.
    const state = await runUpdraft(['storage', '--json'], { ...env });
    assert.equal(state.status, 1, state.stderr);
    const [database] = JSON.parse(state.stdout) as { store: string; state: string; code: string }[];
    assert.deepEqual(
      [database!.store, database!.state, database!.code],
      ['database', 'full', 'STORAGE_FULL'],
    );
  });

  describe('while running', () => {
    let server: ServedUpdraft;
    let data: string;
    let firmware: string;
    let session: Record<string, string>;
    let productId: number;
    let version = 0;

    before(async () => {
      data = mountTmpfs('running-data', 32 * 1024);
      firmware = mountTmpfs('running-firmware', 1024);
      server = await startServer({
        ...base,
        UPDRAFT_LOG_LEVEL: 'info',
        UPDRAFT_DATA_DIR: data,
        UPDRAFT_FIRMWARE_DIR: firmware,
        UPDRAFT_STORAGE_MIN_FREE_MB: '0',
      });
      session = await signIn(server.base, 'admin', printedPassword(server.output())!);
      const product = await fetch(`${server.base}/api/v1/products`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...session },
        body: JSON.stringify({ name: 'Storage' }),
      });
      assert.equal(product.status, 201);
      productId = ((await product.json()) as { id: number }).id;
    });
    after(async () => {
      await server?.stop();
    });

    async function upload(bytes: number) {
      const form = new FormData();
      form.set('version', `1.${++version}`);
      form.set('file', new Blob([Buffer.alloc(bytes, version)]), 'app.bin');
      const response = await fetch(`${server.base}/api/v1/products/${productId}/firmware`, {
        method: 'POST',
        headers: session,
        body: form,
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    }

    it('answers an upload to a full firmware folder 507 STORAGE_FULL, and the log names it', async () => {
      assert.equal((await upload(64 * 1024)).status, 201);
      const full = await upload(2 * 1024 * 1024);
      assert.equal(full.status, 507, JSON.stringify(full.body));
      assert.equal(full.body['code'], 'STORAGE_FULL');
      assert.match(String(full.body['message']), /^the firmware store is full/);
      assert.doesNotMatch(JSON.stringify(full.body), new RegExp(firmware), 'the answer keeps the path');
      await waitFor(() => server.output().includes(`the firmware folder ${firmware} is full`));
      // Nothing half-written stays behind, and a file that fits is taken again.
      assert.equal((await upload(64 * 1024)).status, 201);
    });

    it('answers an upload to a read-only firmware folder 503 STORAGE_READ_ONLY', async () => {
      remount(firmware, 'ro');
      try {
        const refused = await upload(64 * 1024);
        assert.equal(refused.status, 503, JSON.stringify(refused.body));
        assert.equal(refused.body['code'], 'STORAGE_READ_ONLY');
        assert.deepEqual(refused.body['details'], { store: 'firmware', fault: 'read-only' });
        await waitFor(() =>
          server.output().includes(`the firmware folder ${firmware} is on a read-only file system`),
        );
      } finally {
        remount(firmware, 'rw');
      }
      assert.equal((await upload(64 * 1024)).status, 201);
    });

    it('answers 507 STORAGE_FULL, not 500, once the database’s disk fills while running', async () => {
      const filler = fill(data);
      const statuses = new Set<number>();
      let refused: Record<string, unknown> | undefined;
      // The WAL may hold room for a few writes: make products until one is refused.
      for (let i = 0; i < 300 && !refused; i++) {
        const made = await fetch(`${server.base}/api/v1/products`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...session },
          body: JSON.stringify({ name: `Filler ${i} ${'x'.repeat(60)}` }),
        });
        statuses.add(made.status);
        if (made.status !== 201) refused = (await made.json()) as Record<string, unknown>;
        else await made.arrayBuffer();
      }
      assert.ok(refused, `a write was refused (${[...statuses].join(', ')})`);
      assert.equal(refused['code'], 'STORAGE_FULL', JSON.stringify(refused));
      assert.ok(!statuses.has(500), [...statuses].join(', '));
      await waitFor(() => server.output().includes(`the database ${join(data, 'updraft.db')} is full`));
      const state = await runUpdraft(['storage', '--json'], {
        UPDRAFT_DATA_DIR: data,
        UPDRAFT_FIRMWARE_DIR: firmware,
        UPDRAFT_STORAGE_MIN_FREE_MB: '0',
      });
      const states = JSON.parse(state.stdout) as { store: string; state: string }[];
      // A load balancer's readiness check says so too, naming the store.
      const ready = await fetch(`${server.base}/readyz`);
      const readiness = (await ready.json()) as { details: { failed: string[] }; message: string };
      assert.equal(ready.status, 503);
      assert.ok(readiness.details.failed.includes('storage'), JSON.stringify(readiness));
      assert.match(readiness.message, /storage: STORAGE_FULL: the data folder .* is full/);
      assert.deepEqual(
        states.map((s) => [s.store, s.state]),
        [
          ['database', 'full'],
          ['firmware', 'ok'],
        ],
      );
      // Room again: the same server takes writes again.
      rmSync(filler);
      const again = await fetch(`${server.base}/api/v1/products`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...session },
        body: JSON.stringify({ name: 'After the disk was freed' }),
      });
      assert.equal(again.status, 201);
      assert.equal((await fetch(`${server.base}/readyz`)).status, 200);
    });
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 50));
  assert.ok(condition(), 'the log line came');
}

// Several instances started at once on an empty database (issue 14): the migrations run once,
// exactly one instance creates the admin and prints its password, and every one starts and
// answers. SQLite: three processes on one data folder; PostgreSQL: three on one fresh database.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  createEmptyPostgresDatabase,
  skipReason,
  testDatabaseKind,
} from '../packages/server/src/test-support/test-database.ts';
import { printedPassword, type ServedUpdraft, signIn, startServer } from './support/serve-child.ts';

const skip = (await skipReason()) ?? false;

describe('updraft serve: several instances on an empty database at once', { skip }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'updraft-concurrent-'));
  const servers: ServedUpdraft[] = [];
  let postgres: Awaited<ReturnType<typeof createEmptyPostgresDatabase>> | undefined;
  after(async () => {
    for (const server of servers) await server.stop();
    await postgres?.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates the admin exactly once and starts every instance', async () => {
    postgres = testDatabaseKind === 'postgres' ? await createEmptyPostgresDatabase() : undefined;
    const started = await Promise.allSettled(
      [0, 1, 2].map(() =>
        startServer({
          ...(postgres && { UPDRAFT_DATABASE_URL: postgres.url }),
          UPDRAFT_DATA_DIR: dataDir,
          UPDRAFT_HTTP_PORT: '0',
          UPDRAFT_MQTT_PORT: '0',
          UPDRAFT_COAP_PORT: '0',
          UPDRAFT_HTTP_HOST: '127.0.0.1',
          UPDRAFT_MQTT_HOST: '127.0.0.1',
          UPDRAFT_LOG_LEVEL: 'warn',
        }),
      ),
    );
    for (const result of started) if (result.status === 'fulfilled') servers.push(result.value);
    const failures = started.filter((r) => r.status === 'rejected').map((r) => String(r.reason));
    assert.deepEqual(failures, [], 'every instance starts');
    const passwords = servers.map((s) => printedPassword(s.output())).filter((p) => p !== undefined);
    assert.equal(passwords.length, 1, 'exactly one instance created the admin');
    for (const server of servers) await signIn(server.base, 'admin', passwords[0]!);
  });
});

// PostgreSQL's storage faults in the catalogue (issue 14): a server that takes no writes answers
// 503 STORAGE_READ_ONLY and one whose disk is full 507 STORAGE_FULL, not 500 INTERNAL. The
// read-only error is a real one, from a session of this machine's PostgreSQL opened read-only;
// a full disk cannot be made on the shared server, so its error is node-postgres' own class
// with the SQLSTATE PostgreSQL sends (53100).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pg from 'pg';
import { testDatabaseKind } from '../../test-support/test-database.ts';
import { httpStatusOf } from './error-status.ts';
import { postgresStorageFault, translateFastifyError } from './fastify-errors.ts';

const url = process.env['UPDRAFT_TEST_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

describe('PostgreSQL storage faults', () => {
  it('answers a write refused by a read-only server 503 STORAGE_READ_ONLY', {
    skip: testDatabaseKind !== 'postgres' && 'PostgreSQL pass only',
  }, async () => {
    const client = new pg.Client({ connectionString: url, options: '-c default_transaction_read_only=on' });
    await client.connect();
    try {
      const refused = await client.query('create table updraft_read_only_probe (id int)').catch((e) => e);
      assert.equal((refused as { code?: string }).code, '25006');
      const answer = translateFastifyError(refused);
      assert.equal(answer.code, 'STORAGE_READ_ONLY');
      assert.equal(httpStatusOf[answer.code], 503);
      assert.deepEqual(answer.details, { store: 'database', fault: 'read-only' });
    } finally {
      await client.end();
    }
  });

  it('answers a full disk 507 STORAGE_FULL and leaves other database errors alone', () => {
    const full = Object.assign(
      new pg.DatabaseError('could not extend file: No space left on device', 0, 'error'),
      {
        code: '53100',
        severity: 'ERROR',
      },
    );
    const answer = translateFastifyError(full);
    assert.equal(answer.code, 'STORAGE_FULL');
    assert.equal(httpStatusOf[answer.code], 507);
    const unique = Object.assign(new pg.DatabaseError('duplicate key', 0, 'error'), {
      code: '23505',
      severity: 'ERROR',
    });
    assert.equal(postgresStorageFault(unique), undefined);
    // An operating-system error with a SQLSTATE-looking code is not PostgreSQL's.
    assert.equal(postgresStorageFault(Object.assign(new Error('x'), { code: '53100' })), undefined);
  });
});

// Real errors of the file system and of node:sqlite, classified as storage faults, and the
// coded error's one line: the path, the cause and the setting that moves it.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, describe, it } from 'node:test';
import { isUpdraftError } from '@updraft/core';
import { explainStorageError, type StoragePlace, storageError, storageFaultOf } from './storage-faults.ts';

const place: StoragePlace = {
  store: 'firmware',
  what: 'the firmware folder',
  path: '/srv/updraft/firmware',
  setting: 'UPDRAFT_FIRMWARE_DIR',
};

describe('storage faults', () => {
  const dir = mkdtempSync(join(tmpdir(), 'updraft-storage-faults-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads errno codes: no space, read-only, no access, missing', () => {
    const errno = (code: string) => Object.assign(new Error(code), { code });
    assert.equal(storageFaultOf(errno('ENOSPC')), 'full');
    assert.equal(storageFaultOf(errno('EDQUOT')), 'full');
    assert.equal(storageFaultOf(errno('EROFS')), 'read-only');
    assert.equal(storageFaultOf(errno('EACCES')), 'no-access');
    let missing: unknown;
    try {
      writeFileSync(join(dir, 'no', 'such', 'file'), 'x');
    } catch (error) {
      missing = error;
    }
    assert.equal(storageFaultOf(missing), 'missing');
    assert.equal(storageFaultOf(errno('ECONNRESET')), undefined);
    assert.equal(storageFaultOf(new Error('plain')), undefined);
  });

  it('reads SQLite’s result codes: a write to a read-only database, a constraint is no fault', () => {
    const path = join(dir, 'db.sqlite');
    const writable = new DatabaseSync(path);
    writable.exec('create table t (id integer primary key)');
    writable.exec('insert into t values (1)');
    let constraint: unknown;
    try {
      writable.exec('insert into t values (1)');
    } catch (error) {
      constraint = error;
    }
    writable.close();
    assert.equal(storageFaultOf(constraint), undefined);
    const readOnly = new DatabaseSync(path, { readOnly: true });
    let refused: unknown;
    try {
      readOnly.exec('insert into t values (2)');
    } catch (error) {
      refused = error;
    }
    readOnly.close();
    assert.equal(storageFaultOf(refused), 'read-only');
    const explained = explainStorageError(refused, {
      ...place,
      store: 'database',
      what: 'the database',
      path,
    });
    assert.ok(isUpdraftError(explained));
    assert.equal(explained.code, 'STORAGE_READ_ONLY');
    assert.equal(explained.details['path'], path);
  });

  it('says where, what and how to fix it in one line', () => {
    const full = storageError('full', place, { freeBytes: 512 * 1024, minFreeBytes: 16 * 1048576 });
    assert.equal(full.code, 'STORAGE_FULL');
    assert.equal(
      full.message,
      'the firmware folder /srv/updraft/firmware is full (512 KiB free, Updraft needs 16 MiB: ' +
        'UPDRAFT_STORAGE_MIN_FREE_MB): free space on its disk, or set UPDRAFT_FIRMWARE_DIR to a folder on a larger one',
    );
    const missing = storageError('missing', place, { because: '/srv is on a read-only file system' });
    assert.equal(missing.code, 'STORAGE_UNAVAILABLE');
    assert.match(
      missing.message,
      /does not exist and cannot be created \(\/srv is on a read-only file system\)/,
    );
    assert.doesNotMatch(missing.message, /\n/);
    const passed = new Error('not storage');
    assert.equal(explainStorageError(passed, place), passed);
  });
});

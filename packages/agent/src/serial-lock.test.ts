// One hook at a time, and a reboot that waits for the running one and keeps the lock.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createSerialLock } from './serial-lock.ts';

describe('serial lock', () => {
  it('runs one job at a time, in the order they came', async () => {
    const lock = createSerialLock();
    const log: string[] = [];
    const job = (name: string, ms: number) =>
      lock.run(async () => {
        log.push(`start ${name}`);
        await sleep(ms);
        log.push(`end ${name}`);
        return name;
      });
    assert.deepEqual(await Promise.all([job('a', 20), job('b', 1), job('c', 5)]), ['a', 'b', 'c']);
    assert.deepEqual(log, ['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  it('lets acquire() wait for the running job and hold off the next until release()', async () => {
    const lock = createSerialLock();
    const log: string[] = [];
    const running = lock.run(async () => {
      await sleep(10);
      log.push('hook');
    });
    await lock.acquire();
    log.push('reboot');
    const after = lock.run(async () => {
      log.push('next hook');
    });
    await sleep(10);
    assert.deepEqual(log, ['hook', 'reboot'], 'nothing starts while the lock is held');
    lock.release();
    await Promise.all([running, after]);
    assert.deepEqual(log, ['hook', 'reboot', 'next hook']);
  });

  it('frees the lock when a job throws', async () => {
    const lock = createSerialLock();
    await assert.rejects(
      lock.run(async () => Promise.reject(new Error('hook failed'))),
      /hook failed/,
    );
    assert.equal(await lock.run(async () => 'next'), 'next');
  });
});

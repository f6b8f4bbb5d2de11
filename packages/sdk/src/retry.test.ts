import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SdkError } from './errors.ts';
import { backoffDelay, withRetry } from './retry.ts';

describe('retry with backoff and jitter', () => {
  const settings = { attempts: 4, baseDelayMs: 10, maxDelayMs: 40 };

  it('doubles the wait up to the limit, half of it random', () => {
    assert.deepEqual(
      [0, 1, 2, 3, 4].map((a) => backoffDelay(a, settings, () => 0)),
      [5, 10, 20, 20, 20],
    );
    assert.deepEqual(
      [0, 1, 2, 3].map((a) => backoffDelay(a, settings, () => 0.999)),
      [9, 19, 39, 39],
    );
  });

  it('tries again until it works, within the attempts', async () => {
    let tries = 0;
    const value = await withRetry(async () => {
      tries++;
      if (tries < 3) throw new SdkError('NETWORK', 'down');
      return 'ok';
    }, settings);
    assert.equal(value, 'ok');
    assert.equal(tries, 3);
    tries = 0;
    await assert.rejects(
      withRetry(async () => {
        tries++;
        throw new SdkError('NETWORK', 'down');
      }, settings),
      /down/,
    );
    assert.equal(tries, 4);
  });

  it('gives up at once on an error that a retry cannot help', async () => {
    let tries = 0;
    await assert.rejects(
      withRetry(async () => {
        tries++;
        throw new SdkError('CHECK_FAILED', 'bad hash');
      }, settings),
    );
    assert.equal(tries, 1);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createFirmwareCache } from './firmware-cache.ts';

describe('firmware cache', () => {
  it('keeps the most recently used files within its byte budget', () => {
    const cache = createFirmwareCache(100);
    cache.put('a', Buffer.alloc(25));
    cache.put('b', Buffer.alloc(25));
    cache.put('c', Buffer.alloc(25));
    cache.put('d', Buffer.alloc(25));
    assert.ok(cache.get('a'), 'a is used again, so b is the oldest');
    cache.put('e', Buffer.alloc(25));
    assert.equal(cache.get('b'), undefined);
    for (const key of ['a', 'c', 'd', 'e']) assert.ok(cache.get(key), key);
  });

  it('never admits a file larger than a quarter of the budget, nor anything with budget 0', () => {
    const cache = createFirmwareCache(100);
    assert.equal(cache.admits(26), false);
    cache.put('big', Buffer.alloc(26));
    assert.equal(cache.get('big'), undefined);
    assert.equal(createFirmwareCache(0).admits(1), false);
  });

  it('loads a cold file once for concurrent misses, and again after a failed load', async () => {
    const cache = createFirmwareCache(100);
    let loads = 0;
    let release: (bytes: Buffer) => void = () => {};
    const load = () => {
      loads++;
      return new Promise<Buffer>((resolve) => {
        release = resolve;
      });
    };
    const waiting = [cache.getOrLoad('a', 10, load), cache.getOrLoad('a', 10, load)];
    release(Buffer.alloc(10, 1));
    const [first, second] = await Promise.all(waiting);
    assert.equal(loads, 1);
    assert.equal(first, second, 'one buffer shared');
    assert.equal(await cache.getOrLoad('a', 10, load), first, 'cached');
    assert.equal(loads, 1);

    const failing = () => {
      loads++;
      return Promise.reject(new Error('disk gone'));
    };
    await assert.rejects(cache.getOrLoad('b', 10, failing), /disk gone/);
    await assert.rejects(cache.getOrLoad('b', 10, failing), /disk gone/);
    assert.equal(loads, 3, 'a failed load is not remembered');
    assert.equal(await cache.getOrLoad('big', 26, load), undefined, 'not admitted: not loaded');
    assert.equal(loads, 3);
  });
});

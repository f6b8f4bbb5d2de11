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
});

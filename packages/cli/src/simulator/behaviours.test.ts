import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assignBehaviours, countsOf, parseBehaviourFile, parseMix } from './behaviours.ts';

describe('simulator behaviours', () => {
  it('parses a mix of weights and refuses unknown behaviours, bad weights and an empty mix', () => {
    assert.deepEqual(parseMix('succeed=80, fail-check=5,succeed=5'), { succeed: 85, 'fail-check': 5 });
    for (const bad of ['explode=3', 'succeed=-1', 'succeed', 'succeed=1=2', 'succeed=0', '']) {
      assert.throws(() => parseMix(bad), { code: 'VALIDATION_FAILED' }, bad);
    }
  });

  it('splits a fleet into exact counts by largest remainder', () => {
    const counts = countsOf({ succeed: 80, 'fail-download': 5, 'fail-check': 5, slow: 3, drop: 2 }, 7);
    assert.equal(
      [...counts.values()].reduce((a, b) => a + b, 0),
      7,
    );
    assert.deepEqual(Object.fromEntries(countsOf({ succeed: 1, reject: 1 }, 3)), { succeed: 2, reject: 1 });
    assert.deepEqual(Object.fromEntries(countsOf({ succeed: 90, drop: 10 }, 20)), { succeed: 18, drop: 2 });
  });

  it('spreads the behaviours in an order fixed by the seed', () => {
    const mix = { succeed: 50, 'fail-write': 25, offline: 25 };
    assert.deepEqual(assignBehaviours(mix, 40, 7), assignBehaviours(mix, 40, 7));
    assert.notDeepEqual(assignBehaviours(mix, 40, 7), assignBehaviours(mix, 40, 8));
    assert.equal(assignBehaviours(mix, 40, 7).filter((b) => b === 'offline').length, 10);
  });

  it('reads a behaviours file with a mix or a device list, and its settings', () => {
    const file = parseBehaviourFile('{"mix": {"succeed": 3, "slow": 1}, "slowBytesPerSecond": 1000}');
    assert.deepEqual(file, { mix: { succeed: 3, slow: 1 }, settings: { slowBytesPerSecond: 1000 } });
    assert.deepEqual(parseBehaviourFile('{"devices": ["drop", "succeed"]}').devices, ['drop', 'succeed']);
    for (const bad of ['{', '{}', '{"devices": ["fly"]}', '{"mix": {"succeed": 1}, "offlineSeconds": "5"}']) {
      assert.throws(() => parseBehaviourFile(bad), { code: 'VALIDATION_FAILED' }, bad);
    }
  });
});

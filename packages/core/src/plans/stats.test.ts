import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  allUpgradesFinished,
  bucketProgress,
  countUpgrades,
  emptyUpgradeCounts,
  shouldAutoPause,
  summarizeUpgrades,
  type UpgradeCounts,
} from './stats.ts';

function counts(partial: Partial<UpgradeCounts>): UpgradeCounts {
  return { ...emptyUpgradeCounts(), ...partial };
}

describe('plan statistics', () => {
  it('counts records by status', () => {
    assert.deepEqual(countUpgrades(['success', 'success', 'failure']), counts({ success: 2, failure: 1 }));
  });

  it('leaves cancelled devices out of the success rate', () => {
    const summary = summarizeUpgrades(counts({ success: 3, failure: 1, cancelled: 6, pending: 10 }));
    assert.equal(summary.total, 20);
    assert.equal(summary.finished, 10);
    assert.equal(summary.decided, 4);
    assert.equal(summary.successRate, 0.75);
    assert.equal(summary.failureRate, 0.25);
    assert.equal(summary.completion, 0.5);
  });

  it('has no rates while nothing is decided', () => {
    const summary = summarizeUpgrades(counts({ pending: 3, cancelled: 1 }));
    assert.equal(summary.successRate, null);
    assert.equal(summary.failureRate, null);
  });

  it('counts a plan without devices as complete', () => {
    assert.equal(summarizeUpgrades(emptyUpgradeCounts()).completion, 1);
    assert.equal(allUpgradesFinished(emptyUpgradeCounts()), true);
  });

  it('sees a plan as finished only when nothing is pending, pushed or upgrading', () => {
    assert.equal(allUpgradesFinished(counts({ success: 5, pushed: 1 })), false);
    assert.equal(allUpgradesFinished(counts({ success: 5, failure: 1, cancelled: 2 })), true);
  });

  it('buckets progress in tens with 100 in the last bucket', () => {
    assert.deepEqual(bucketProgress([0, 9, 10, 55, 99, 100]), [2, 1, 0, 0, 0, 1, 0, 0, 0, 2]);
    assert.deepEqual(bucketProgress([0, 49, 50, 100], 2), [2, 2]);
  });

  it('puts every progress value in exactly one bucket', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 100 })),
        fc.integer({ min: 1, max: 20 }),
        (values, n) => {
          const buckets = bucketProgress(values, n);
          assert.equal(buckets.length, n);
          assert.equal(
            buckets.reduce((a, b) => a + b, 0),
            values.length,
          );
        },
      ),
    );
  });
});

describe('failure threshold', () => {
  const threshold = { percent: 20, minFinished: 10 };

  it('pauses when more than the percentage of at least the minimum decided devices failed', () => {
    assert.equal(shouldAutoPause(counts({ success: 7, failure: 3 }), threshold), true);
  });

  it('does not pause at exactly the percentage', () => {
    assert.equal(shouldAutoPause(counts({ success: 8, failure: 2 }), threshold), false);
  });

  it('does not pause before the minimum number of decided devices', () => {
    assert.equal(shouldAutoPause(counts({ success: 0, failure: 9, cancelled: 50 }), threshold), false);
  });

  it('never pauses without a threshold', () => {
    assert.equal(shouldAutoPause(counts({ failure: 1000 }), null), false);
  });

  it('counts only outcomes after the baseline stored at resume', () => {
    const atResume = counts({ success: 7, failure: 3 });
    assert.equal(shouldAutoPause(counts({ success: 12, failure: 3 }), threshold, atResume), false);
    assert.equal(shouldAutoPause(counts({ success: 14, failure: 6 }), threshold, atResume), true);
  });

  it('pauses with percent 0 on the first failure once the minimum is reached', () => {
    assert.equal(shouldAutoPause(counts({ success: 0, failure: 1 }), { percent: 0, minFinished: 1 }), true);
    assert.equal(shouldAutoPause(counts({ success: 1 }), { percent: 0, minFinished: 1 }), false);
  });
});

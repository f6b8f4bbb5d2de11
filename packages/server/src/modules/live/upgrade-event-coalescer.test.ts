import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NewLiveEvent } from './live-event-store.ts';
import { createUpgradeEventCoalescer } from './upgrade-event-coalescer.ts';

const changed = (planId: number, upgradeIds: number[], at = 1): NewLiveEvent => ({
  at,
  kind: 'device_upgrade',
  planId,
  data: { planId, upgradeIds, count: upgradeIds.length },
});

function harness(windowMs = 40) {
  const written: NewLiveEvent[][] = [];
  let clock = 0;
  const coalescer = createUpgradeEventCoalescer({
    append: async (events) => {
      written.push([...events]);
    },
    windowMs,
    monotonic: () => clock,
  });
  return {
    coalescer,
    written,
    advance(ms: number) {
      clock += ms;
    },
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 60));

describe('device-upgrade events coalesced per plan', () => {
  it('writes the first change of a quiet plan at once, in its own transaction', () => {
    const { coalescer, written } = harness();
    const first = changed(1, [10, 11]);
    assert.deepEqual(coalescer.admit([first]), [first]);
    assert.deepEqual(written, []);
  });

  it('holds the changes that follow within the window and writes them as one event per plan when it ends', async () => {
    const { coalescer, written, advance } = harness();
    coalescer.admit([changed(1, [10]), changed(2, [20])]);
    advance(10);
    assert.deepEqual(coalescer.admit([changed(1, [11, 12], 5), changed(2, [21], 3)]), []);
    assert.deepEqual(coalescer.admit([changed(1, [12, 13], 7)]), []);
    advance(40);
    await settle();
    assert.equal(written.length, 1);
    assert.deepEqual(written[0], [
      { at: 7, kind: 'device_upgrade', planId: 1, data: { planId: 1, upgradeIds: [11, 12, 13], count: 4 } },
      { at: 3, kind: 'device_upgrade', planId: 2, data: { planId: 2, upgradeIds: [21], count: 1 } },
    ]);
    await coalescer.close();
  });

  it('writes at once again once a plan has been quiet for a window', async () => {
    const { coalescer, written, advance } = harness();
    coalescer.admit([changed(1, [10])]);
    advance(50);
    await settle();
    assert.deepEqual(written, [], 'nothing was held: nothing to write');
    const later = changed(1, [11]);
    assert.deepEqual(coalescer.admit([later]), [later]);
    await coalescer.close();
  });

  it('carries at most 100 ids, and counts every change', async () => {
    const { coalescer, written, advance } = harness();
    coalescer.admit([changed(1, [0])]);
    const ids = Array.from({ length: 150 }, (_, i) => i + 1);
    coalescer.admit([changed(1, ids.slice(0, 100)), changed(1, ids.slice(100))]);
    advance(40);
    await coalescer.flush();
    assert.equal((written[0]![0]!.data['upgradeIds'] as number[]).length, 100);
    assert.equal(written[0]![0]!.data['count'], 150);
    await coalescer.close();
  });

  it('writes what it holds when closed, and passes everything through after', async () => {
    const { coalescer, written } = harness(60_000);
    coalescer.admit([changed(1, [10])]);
    coalescer.admit([changed(1, [11])]);
    await coalescer.close();
    assert.deepEqual(
      written.map((events) => events.map((e) => e.data['upgradeIds'])),
      [[[11]]],
    );
    const after = changed(1, [12]);
    assert.deepEqual(coalescer.admit([after]), [after]);
  });
});

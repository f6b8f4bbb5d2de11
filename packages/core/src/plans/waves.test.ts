import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptyUpgradeCounts } from './stats.ts';
import { validatePlanSpec } from './validate-plan-spec.ts';
import { applyWaveAction, dueWaveAction, firstWave, type WaveProgress } from './wave-progress.ts';
import { assignWaves, countPerWave, type WaveSpec, waveOrderKey } from './waves.ts';

const wave = (size: WaveSpec['size'], more: Partial<WaveSpec> = {}): WaveSpec => ({
  size,
  successPercent: 100,
  errorPercent: null,
  soakSeconds: 0,
  manualGate: false,
  ...more,
});
const devices = Array.from({ length: 200 }, (_, i) => ({
  id: String(i + 1),
  groupIds: i % 10 === 0 ? ['7'] : [],
}));

describe('wave assignment', () => {
  it('gives a canary, a percentage and the rest, counts independent of the seed', () => {
    const waves = [
      wave({ kind: 'count', count: 5 }),
      wave({ kind: 'percent', percent: 25 }),
      wave({ kind: 'rest' }),
    ];
    for (const seed of ['1', '2', 'preview']) {
      assert.deepEqual(countPerWave(3, assignWaves(waves, devices, seed)), [5, 50, 145]);
    }
  });

  it('is reproducible for a plan and differs between plans', () => {
    const waves = [wave({ kind: 'count', count: 10 }), wave({ kind: 'rest' })];
    const a = assignWaves(waves, devices, '41');
    assert.deepEqual(assignWaves(waves, [...devices].reverse(), '41'), [...a].reverse());
    assert.notDeepEqual(assignWaves(waves, devices, '42'), a);
  });

  it('takes the members of a group wave that earlier waves left, and the last wave takes what is left', () => {
    const waves = [
      wave({ kind: 'count', count: 3 }),
      wave({ kind: 'groups', groupIds: ['7'] }),
      wave({ kind: 'count', count: 1 }),
    ];
    const assigned = assignWaves(waves, devices, '9');
    const inGroup = devices.filter((d) => d.groupIds.length > 0).length;
    const firstInGroup = devices.filter((d, i) => d.groupIds.length > 0 && assigned[i] === 0).length;
    assert.equal(assigned.filter((w) => w === 1).length, inGroup - firstInGroup);
    assert.equal(assigned.filter((w) => w === 2).length, 200 - 3 - (inGroup - firstInGroup));
  });

  it('puts every device in wave 0 of a plan without waves', () => {
    assert.deepEqual(new Set(assignWaves(undefined, devices, '1')), new Set([0]));
  });

  it('orders by a 32-bit hash of the plan and the device', () => {
    assert.equal(waveOrderKey('1', '1'), waveOrderKey('1', '1'));
    assert.ok(waveOrderKey('1', '2') >= 0 && waveOrderKey('1', '2') < 2 ** 32);
  });
});

const counts = (c: Partial<ReturnType<typeof emptyUpgradeCounts>>) => ({ ...emptyUpgradeCounts(), ...c });

describe('wave progress', () => {
  const waves = [
    wave({ kind: 'count', count: 2 }, { successPercent: 100, errorPercent: 0 }),
    wave(
      { kind: 'percent', percent: 50 },
      { successPercent: 90, errorPercent: 20, soakSeconds: 60, manualGate: true },
    ),
    wave({ kind: 'rest' }),
  ];

  it('moves on from a canary whose devices all succeeded', () => {
    const action = dueWaveAction(waves, firstWave, counts({ success: 2 }), 0);
    assert.deepEqual(action, { type: 'advance' });
    assert.deepEqual(applyWaveAction(firstWave, action!), { index: 1, phase: 'rolling', until: null });
  });

  it('waits while the success threshold is not met', () => {
    assert.equal(dueWaveAction(waves, firstWave, counts({ success: 1, upgrading: 1 }), 0), null);
  });

  it('halts on more failures than the error threshold, with the reason', () => {
    const action = dueWaveAction(
      waves,
      { index: 1, phase: 'rolling', until: null },
      counts({ failure: 3, success: 7 }),
      0,
    );
    assert.equal(action?.type, 'halt');
    assert.match(action?.type === 'halt' ? action.reason : '', /wave 2 hit its error threshold: 3 of 10/);
    assert.equal(
      dueWaveAction(waves, { index: 1, phase: 'rolling', until: null }, counts({ failure: 1, success: 9 }), 0)
        ?.type,
      'soak',
    );
  });

  it('halts a wave whose devices all ended below its success threshold', () => {
    const action = dueWaveAction(
      waves,
      { index: 1, phase: 'rolling', until: null },
      counts({ cancelled: 2, success: 8 }),
      0,
    );
    assert.equal(action?.type, 'halt');
  });

  it('soaks, then waits at the gate until approved', () => {
    const soaking: WaveProgress = { index: 1, phase: 'soaking', until: 60_000 };
    assert.deepEqual(
      dueWaveAction(
        waves,
        { index: 1, phase: 'rolling', until: null },
        counts({ success: 9, pending: 1 }),
        0,
      ),
      {
        type: 'soak',
        until: 60_000,
      },
    );
    assert.equal(dueWaveAction(waves, soaking, counts({ success: 9, pending: 1 }), 59_999), null);
    assert.deepEqual(dueWaveAction(waves, soaking, counts({ success: 9, pending: 1 }), 60_000), {
      type: 'gate',
    });
    assert.equal(
      dueWaveAction(waves, { index: 1, phase: 'gated', until: null }, counts({ success: 10 }), 1e9),
      null,
    );
  });

  it('after a resumed halt, accepts the errors and moves on once the wave is through', () => {
    const halted: WaveProgress = { index: 0, phase: 'halted', until: null };
    assert.equal(dueWaveAction(waves, halted, counts({ failure: 1, upgrading: 1 }), 0), null);
    assert.deepEqual(dueWaveAction(waves, halted, counts({ failure: 1, success: 1 }), 0), {
      type: 'advance',
    });
  });

  it('never moves past the last wave, but halts it', () => {
    const last: WaveProgress = { index: 2, phase: 'rolling', until: null };
    assert.equal(dueWaveAction(waves, last, counts({ success: 5 }), 0), null);
    const strict = [...waves.slice(0, 2), wave({ kind: 'rest' }, { errorPercent: 0 })];
    assert.equal(dueWaveAction(strict, last, counts({ success: 5, failure: 1 }), 0)?.type, 'halt');
  });

  it('does nothing for a plan of one wave', () => {
    assert.equal(dueWaveAction(undefined, firstWave, counts({ failure: 5 }), 0), null);
  });
});

describe('reading waves', () => {
  const base = {
    name: 'p',
    productId: '1',
    moduleId: 'default',
    firmware: { kind: 'full', packageId: '1', targetVersion: '2.0' },
    target: { kind: 'all' },
  };

  it('applies the defaults and lets the last wave leave out its size', () => {
    const result = validatePlanSpec({
      ...base,
      waves: [{ count: 3, errorPercent: 0 }, { percent: 50, manualGate: true }, {}],
    });
    assert.ok(result.ok);
    assert.deepEqual(result.spec.waves, [
      wave({ kind: 'count', count: 3 }, { errorPercent: 0 }),
      wave({ kind: 'percent', percent: 50 }, { manualGate: true }),
      wave({ kind: 'rest' }),
    ]);
  });

  it('keeps a spec without waves as it was', () => {
    const result = validatePlanSpec(base);
    assert.ok(result.ok && !('waves' in result.spec));
  });

  it('refuses a wave without a size, two sizes, and out-of-range thresholds', () => {
    const result = validatePlanSpec({
      ...base,
      waves: [{}, { count: 1, percent: 5 }, { percent: 0 }, { successPercent: 101, soakSeconds: -1 }],
    });
    assert.ok(!result.ok);
    assert.deepEqual(
      result.issues.map((i) => `${i.path} ${i.code}`),
      [
        'waves.0.percent required',
        'waves.1.count exclusive',
        'waves.2.percent out_of_range',
        'waves.3.successPercent out_of_range',
        'waves.3.soakSeconds out_of_range',
      ],
    );
  });
});

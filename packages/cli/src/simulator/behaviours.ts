// What each simulated device does with an upgrade, and how a fleet is split between behaviours:
// a mix of weights (`succeed=80,fail-check=5`) becomes exact counts by largest remainder, spread
// over the fleet in an order fixed by a seed, so that two runs with the same options match.
import { UpdraftError } from '@updraft/core';

export const behaviours = [
  'succeed',
  'fail-download',
  'fail-check',
  'fail-write',
  'slow',
  'drop',
  'offline',
  'reject',
  'low-battery',
  'appoint',
  'auto-upgrade',
] as const;
export type Behaviour = (typeof behaviours)[number];

/** What the behaviours need to know beyond their name. */
export interface BehaviourSettings {
  /** `slow`: the link's bytes per second. */
  slowBytesPerSecond: number;
  /** `offline`: seconds before the device first connects. */
  offlineSeconds: number;
  /** `low-battery`: the battery it reports (%). */
  lowBattery: number;
  /** `appoint`: seconds from the owner's decision to the start of the hour it appoints. */
  appointDelaySeconds: number;
}

export const defaultSettings: BehaviourSettings = {
  slowBytesPerSecond: 64 * 1024,
  offlineSeconds: 5,
  lowBattery: 5,
  appointDelaySeconds: 5,
};

/** Behaviours of the device's owner, played through the end-user API (owner-app.ts). */
export const ownerBehaviours: readonly Behaviour[] = ['appoint', 'auto-upgrade'];

export type Mix = Partial<Record<Behaviour, number>>;

const isBehaviour = (name: string): name is Behaviour => (behaviours as readonly string[]).includes(name);

/** `succeed=80,fail-download=5,...`: weights, not necessarily summing to 100. */
export function parseMix(text: string): Mix {
  const mix: Mix = {};
  for (const part of text.split(',').filter((p) => p.trim() !== '')) {
    const [name, weight, ...rest] = part.split('=').map((s) => s.trim());
    const value = Number(weight);
    if (!name || !isBehaviour(name) || rest.length > 0 || !Number.isFinite(value) || value < 0) {
      throw new UpdraftError(
        'VALIDATION_FAILED',
        `--mix takes behaviour=weight pairs (behaviours: ${behaviours.join(', ')}), not "${part}"`,
      );
    }
    mix[name] = (mix[name] ?? 0) + value;
  }
  if (Object.values(mix).every((w) => w === 0)) {
    throw new UpdraftError('VALIDATION_FAILED', '--mix needs at least one behaviour with a weight');
  }
  return mix;
}

/** A behaviours file: `{"mix": {...}}` or `{"devices": ["succeed", ...]}`, and settings. */
export function parseBehaviourFile(text: string): {
  mix?: Mix;
  devices?: Behaviour[];
  settings: Partial<BehaviourSettings>;
} {
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new UpdraftError(
      'VALIDATION_FAILED',
      `the behaviours file is not JSON: ${(error as Error).message}`,
    );
  }
  const settings: Partial<BehaviourSettings> = {};
  for (const key of Object.keys(defaultSettings) as (keyof BehaviourSettings)[]) {
    const value = parsed[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !(value >= 0)) {
      throw new UpdraftError('VALIDATION_FAILED', `${key} in the behaviours file is a number ≥ 0`);
    }
    settings[key] = value;
  }
  const devices = parsed['devices'];
  if (devices !== undefined) {
    if (!Array.isArray(devices) || !devices.every((d) => typeof d === 'string' && isBehaviour(d))) {
      throw new UpdraftError(
        'VALIDATION_FAILED',
        `devices in the behaviours file lists ${behaviours.join(', ')}`,
      );
    }
    return { devices: devices as Behaviour[], settings };
  }
  const mix = parsed['mix'];
  if (typeof mix !== 'object' || mix === null) {
    throw new UpdraftError('VALIDATION_FAILED', 'the behaviours file has "mix" or "devices"');
  }
  return {
    mix: parseMix(
      Object.entries(mix)
        .map(([k, v]) => `${k}=${v}`)
        .join(','),
    ),
    settings,
  };
}

/** Exact counts per behaviour for `count` devices (largest remainder, ties in catalogue order). */
export function countsOf(mix: Mix, count: number): Map<Behaviour, number> {
  const total = behaviours.reduce((sum, b) => sum + (mix[b] ?? 0), 0);
  const shares = behaviours.map((b) => ({ b, exact: ((mix[b] ?? 0) * count) / total }));
  const counts = new Map(shares.map(({ b, exact }) => [b, Math.floor(exact)]));
  let left = count - [...counts.values()].reduce((a, c) => a + c, 0);
  const byRemainder = [...shares].sort(
    (x, y) => y.exact - Math.floor(y.exact) - (x.exact - Math.floor(x.exact)),
  );
  for (const { b } of byRemainder) {
    if (left === 0) break;
    counts.set(b, counts.get(b)! + 1);
    left--;
  }
  for (const b of behaviours) if (counts.get(b) === 0) counts.delete(b);
  return counts;
}

/** mulberry32: a small seeded generator, so the spread is the same on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One behaviour per device, in the counts of the mix, shuffled by `seed`. */
export function assignBehaviours(mix: Mix, count: number, seed = 1): Behaviour[] {
  const list: Behaviour[] = [];
  for (const [b, n] of countsOf(mix, count)) for (let i = 0; i < n; i++) list.push(b);
  const next = random(seed);
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [list[i], list[j]] = [list[j]!, list[i]!];
  }
  return list;
}

// Waves (issue 18): a plan's targeted devices split into waves rolled out in order, hawkBit's
// rollout groups and Mender's phases. Which device falls in which wave is fixed when the plan
// starts and reproducible: devices are ordered by a hash of the plan and the device
// (waveOrderKey), and each wave takes the next devices in that order that no earlier wave took.
// Pure: the server reads the devices, calls assignWaves and stores the result.

/** How many devices a wave takes; the last wave also takes every device left. */
export type WaveSize =
  /** This share of all targeted devices (rounded up), from those no earlier wave took. */
  | { readonly kind: 'percent'; readonly percent: number }
  | { readonly kind: 'count'; readonly count: number }
  /** The members of these groups that no earlier wave took. */
  | { readonly kind: 'groups'; readonly groupIds: readonly string[] }
  /** The last wave without a size: the devices left. */
  | { readonly kind: 'rest' };

export interface WaveSpec {
  readonly size: WaveSize;
  /** The wave is through once this % of its devices succeeded (0..100, default 100). */
  readonly successPercent: number;
  /** More than this % of the wave's devices failed: the plan halts (paused). Null: never. */
  readonly errorPercent: number | null;
  /** How long to wait, once the success threshold is met, before the next wave (default 0). */
  readonly soakSeconds: number;
  /** The next wave starts only when an operator approves it. */
  readonly manualGate: boolean;
}

export const waveLimits = {
  waves: 20,
  groups: 100,
  soakSeconds: { min: 0, max: 30 * 86_400 },
  count: { min: 1, max: 10_000_000 },
} as const;

/** A device as wave assignment needs it: its id and the groups it is in (those the waves name). */
export interface WaveDevice {
  readonly id: string;
  readonly groupIds: readonly string[];
}

/** 32-bit FNV-1a of `<seed>:<deviceId>`: the order devices take places in waves. */
export function waveOrderKey(seed: string, deviceId: string): number {
  let hash = 0x811c9dc5;
  const text = `${seed}:${deviceId}`;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/**
 * The wave (0-based) of each device, in the order given. `seed` is the plan's id. A plan
 * without waves has one: every device is in wave 0.
 */
export function assignWaves(
  waves: readonly WaveSpec[] | undefined,
  devices: readonly WaveDevice[],
  seed: string,
): number[] {
  const result = new Array<number>(devices.length).fill(0);
  if (waves === undefined || waves.length <= 1) return result;
  const last = waves.length - 1;
  const order = devices
    .map((device, index) => ({ index, key: waveOrderKey(seed, device.id), id: device.id }))
    .sort((a, b) => a.key - b.key || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const taken = new Array<boolean>(devices.length).fill(false);
  result.fill(last);
  for (let wave = 0; wave < last; wave++) {
    const size = waves[wave]!.size;
    if (size.kind === 'groups') {
      const groups = new Set(size.groupIds);
      for (const { index } of order) {
        if (taken[index] || !devices[index]!.groupIds.some((g) => groups.has(g))) continue;
        taken[index] = true;
        result[index] = wave;
      }
      continue;
    }
    let room =
      size.kind === 'count'
        ? size.count
        : size.kind === 'percent'
          ? Math.ceil((size.percent * devices.length) / 100)
          : devices.length;
    for (const { index } of order) {
      if (room <= 0) break;
      if (taken[index]) continue;
      taken[index] = true;
      result[index] = wave;
      room -= 1;
    }
  }
  return result;
}

/** Devices per wave of an assignment (every wave listed, empty ones as 0). */
export function countPerWave(waveCount: number, assigned: readonly number[]): number[] {
  const counts = new Array<number>(Math.max(1, waveCount)).fill(0);
  for (const wave of assigned) counts[wave] = (counts[wave] ?? 0) + 1;
  return counts;
}

/** The groups the plan's waves name (what assignment needs to know of each device). */
export function waveGroupIds(waves: readonly WaveSpec[] | undefined): string[] {
  const ids = new Set<string>();
  for (const wave of waves ?? [])
    if (wave.size.kind === 'groups') for (const id of wave.size.groupIds) ids.add(id);
  return [...ids];
}

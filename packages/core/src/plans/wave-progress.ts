// How a plan moves through its waves (docs/state-machines.md, "Waves"). The plan stores the wave
// under way and its phase; the scheduler asks dueWaveAction at every step of a running plan and
// stores what it answers (with a compare-and-set on the wave and phase it read).
import type { UpgradeCounts } from './stats.ts';
import type { WaveSpec } from './waves.ts';

export const wavePhases = ['rolling', 'halted', 'soaking', 'gated'] as const;
/**
 * - `rolling`: the wave's devices are offered the upgrade; its thresholds are watched.
 * - `halted`: its error threshold paused the plan; once an operator resumes it, its errors no
 *   longer halt it and it moves on when its devices are through.
 * - `soaking`: its success threshold was met; the next wave waits until `until`.
 * - `gated`: it is through; the next wave waits for an operator's approval.
 */
export type WavePhase = (typeof wavePhases)[number];

export interface WaveProgress {
  /** The wave under way, 0-based; devices of later waves are not offered anything yet. */
  readonly index: number;
  readonly phase: WavePhase;
  /** The end of the soak (epoch ms) while soaking, else null. */
  readonly until: number | null;
}

export const firstWave: WaveProgress = { index: 0, phase: 'rolling', until: null };

export type WaveAction =
  /** Pause the plan with this reason; the wave's phase becomes halted. */
  | { readonly type: 'halt'; readonly reason: string }
  | { readonly type: 'soak'; readonly until: number }
  /** The wave is through (wave.completed); the next waits for approval. */
  | { readonly type: 'gate' }
  /** The wave is through (wave.completed) and the next starts (wave.started). */
  | { readonly type: 'advance' };

const total = (c: UpgradeCounts) => c.pending + c.pushed + c.upgrading + c.success + c.failure + c.cancelled;

function errorsHit(wave: WaveSpec, counts: UpgradeCounts): boolean {
  return wave.errorPercent !== null && counts.failure * 100 > wave.errorPercent * total(counts);
}

function successMet(wave: WaveSpec, counts: UpgradeCounts): boolean {
  return counts.success * 100 >= wave.successPercent * total(counts);
}

function through(waves: readonly WaveSpec[], index: number): WaveAction | null {
  if (index >= waves.length - 1) return null;
  return waves[index]!.manualGate ? { type: 'gate' } : { type: 'advance' };
}

/**
 * What is due for a running plan's waves at `now`, given the counts of the wave under way; null
 * when nothing is. The last wave can halt but has no next wave to move on to: the plan
 * completes as any plan does when no device upgrade is left.
 */
export function dueWaveAction(
  waves: readonly WaveSpec[] | undefined,
  progress: WaveProgress,
  counts: UpgradeCounts,
  now: number,
): WaveAction | null {
  if (waves === undefined || waves.length <= 1) return null;
  const wave = waves[progress.index];
  if (wave === undefined) return null;
  const n = progress.index + 1;
  const unfinished = counts.pending + counts.pushed + counts.upgrading;
  switch (progress.phase) {
    case 'gated':
      return null;
    case 'soaking':
      if (errorsHit(wave, counts)) return halt(n, wave, counts);
      return progress.until !== null && now < progress.until ? null : through(waves, progress.index);
    case 'halted':
      // An operator resumed the plan after the halt: its errors are accepted.
      if (successMet(wave, counts) || unfinished === 0) return next(waves, progress.index, now);
      return null;
    case 'rolling':
      if (errorsHit(wave, counts)) return halt(n, wave, counts);
      if (successMet(wave, counts)) return next(waves, progress.index, now);
      if (unfinished === 0) {
        return {
          type: 'halt',
          reason: `wave ${n} ended below its success threshold: ${counts.success} of ${total(counts)} devices succeeded (${wave.successPercent} % needed)`,
        };
      }
      return null;
  }
}

function halt(n: number, wave: WaveSpec, counts: UpgradeCounts): WaveAction {
  return {
    type: 'halt',
    reason: `wave ${n} hit its error threshold: ${counts.failure} of ${total(counts)} devices failed (more than ${wave.errorPercent} %)`,
  };
}

function next(waves: readonly WaveSpec[], index: number, now: number): WaveAction | null {
  if (index >= waves.length - 1) return null;
  const soak = waves[index]!.soakSeconds;
  return soak > 0 ? { type: 'soak', until: now + soak * 1000 } : through(waves, index);
}

/** The progress after an action (a halt's pause is the caller's, with the reason). */
export function applyWaveAction(progress: WaveProgress, action: WaveAction): WaveProgress {
  switch (action.type) {
    case 'halt':
      return { ...progress, phase: 'halted', until: null };
    case 'soak':
      return { ...progress, phase: 'soaking', until: action.until };
    case 'gate':
      return { ...progress, phase: 'gated', until: null };
    case 'advance':
      return { index: progress.index + 1, phase: 'rolling', until: null };
  }
}

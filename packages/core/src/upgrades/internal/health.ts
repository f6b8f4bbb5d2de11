// Installs confirmed by the device's health (issue 18, docs/state-machines.md "Health window"):
// after the device runs the target of a plan with a health window, its record waits in
// `upgrading` at stage `confirming` until the device reports healthy (success), reports unhealthy
// (failure `not_confirmed`, or `rolled_back` when it says it is back on another version) or the
// window ends (`health_window_elapsed`: failure `not_confirmed`).
import type { UpgradeEvent, UpgradePolicy, UpgradeState } from '../upgrade-state.ts';
import { currentComponent } from './components.ts';
import { fail, formatTime, type Outcome, type Step, succeed } from './upgrade-steps.ts';

export const isConfirming = (state: UpgradeState): boolean =>
  state.status === 'upgrading' && state.stage === 'confirming';

const wait = (state: UpgradeState, message: string): Step => ({
  state,
  effects: [],
  message: `${message}; waiting for its health report until ${formatTime(state.nextActionAt ?? 0)}`,
});

/** The device's health report, in any unfinished state. */
export function onHealthReported(
  state: UpgradeState,
  event: Extract<UpgradeEvent, { type: 'health_reported' }>,
  policy: UpgradePolicy,
  now: number,
): Outcome {
  if (state.confirmation === 'awaiting')
    return { refusal: 'awaiting_confirmation', message: 'awaiting confirmation' };
  const said = event.detail === undefined || event.detail === '' ? '' : `: ${event.detail}`;
  const { targetVersion } = currentComponent(policy, state);
  if (event.healthy) {
    // Healthy on another version is not this upgrade's health.
    if (event.version !== undefined && event.version !== targetVersion) {
      return rolledBack(state, event.version, policy, now, `reported healthy on ${event.version}${said}`);
    }
    return succeed(state, policy, now, `reported healthy${said}`, true);
  }
  if (event.version !== undefined && event.version !== targetVersion) {
    return rolledBack(state, event.version, policy, now, `reported unhealthy${said}`);
  }
  return fail(state, policy, now, 'not_confirmed', `reported unhealthy${said}`, false);
}

function rolledBack(state: UpgradeState, version: string, policy: UpgradePolicy, now: number, why: string) {
  const reported = { ...state, reportedVersion: version };
  return fail(reported, policy, now, 'rolled_back', `${why}; back on ${version}`, false);
}

/** The health window ended with no health report. */
export function onHealthWindowElapsed(state: UpgradeState, policy: UpgradePolicy, now: number): Outcome {
  const since = formatTime((state.nextActionAt ?? now) - (policy.healthWindowMs ?? 0));
  return fail(state, policy, now, 'not_confirmed', `no health report since ${since}`, false);
}

/**
 * What the other device events mean while confirming, or null to apply them as in `upgrading`.
 * The device already said it runs the target: its steps change nothing, a check offers nothing,
 * and a version other than the target means it went back (its bootloader fell back).
 */
export function whileConfirming(
  state: UpgradeState,
  event: UpgradeEvent,
  policy: UpgradePolicy,
  now: number,
) {
  switch (event.type) {
    case 'version_reported': {
      const { targetVersion } = currentComponent(policy, state);
      if (event.version === targetVersion) return wait(state, `reported target version ${targetVersion}`);
      return rolledBack(state, event.version, policy, now, `reported ${event.version}`);
    }
    case 'progress':
      return wait(state, `progress ${event.percent} after the install; ignored`);
    case 'accepted':
      return wait(state, 'accepted after the install; ignored');
    case 'checked':
      return wait(state, 'checked; nothing offered');
    default:
      return null;
  }
}

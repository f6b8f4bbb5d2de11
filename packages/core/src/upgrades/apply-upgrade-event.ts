// The device-upgrade state machine (docs/state-machines.md, "Device upgrade"). Pure: the
// caller stores the returned state, appends the log line and carries out the effects. Finished
// records and the health window are decided here; one switch hands every other event to its
// family in internal/: device-reports.ts (what the device says), decisions.ts (confirm, reject,
// the operator's retry and cancel), scheduled-events.ts (pushes and timers), appointment.ts,
// health.ts.
import { onAppointed } from './internal/appointment.ts';
import { componentLabel, currentComponent } from './internal/components.ts';
import { onConfirmed, onOperatorCancel, onOperatorRetry, onRejected } from './internal/decisions.ts';
import {
  onAccepted,
  onChecked,
  onFailed,
  onProgress,
  onRefused,
  onVersionReported,
} from './internal/device-reports.ts';
import { isConfirming, onHealthReported, whileConfirming } from './internal/health.ts';
import { onScheduled } from './internal/scheduled-events.ts';
import { type Outcome, refuse, succeed } from './internal/upgrade-steps.ts';
import type { UpgradeEvent, UpgradePolicy, UpgradeState, UpgradeTransition } from './upgrade-state.ts';
import { isTerminalUpgradeStatus } from './upgrade-status.ts';

/** A device's word that it runs the target: success reported, or the target version stated. */
function saysSucceeded(event: UpgradeEvent, target: string): boolean {
  if (event.type === 'progress') return event.percent === 100 && event.stage === undefined;
  return event.type === 'version_reported' && event.version === target;
}

/** Failed by the engine's timer alone (no word from the device said so). */
function failedByTimeout(state: UpgradeState): boolean {
  return (
    state.status === 'failure' &&
    (state.failureReason === 'timeout' ||
      (state.failureReason === 'retries_exhausted' && state.lastFailureReason === 'timeout'))
  );
}

function route(state: UpgradeState, event: UpgradeEvent, policy: UpgradePolicy, now: number): Outcome {
  if (isTerminalUpgradeStatus(state.status)) {
    if (event.type === 'operator_retry') return onOperatorRetry(state, now);
    // Reconciliation: the timeout was the engine's guess (no report came, e.g. while the server
    // was down); the device says it finished, and it did.
    // The component the record failed on (docs/adr/0013-plan-components.md).
    const { targetVersion } = currentComponent(policy, state);
    if (failedByTimeout(state) && saysSucceeded(event, targetVersion)) {
      const healed = { ...state, failureReason: null, failureDetail: null };
      return succeed(
        healed,
        policy,
        now,
        `${event.type === 'progress' ? 'reported progress 100' : `reported target version ${targetVersion}`} after a timeout; reconciled`,
      );
    }
    return refuse('finished', `the upgrade ended in ${state.status}; ${event.type} ignored`);
  }
  const confirming = isConfirming(state) ? whileConfirming(state, event, policy, now) : null;
  if (confirming !== null) return confirming;
  switch (event.type) {
    case 'pushed':
    case 'retry_due':
    case 'repush_due':
    case 'timeout_elapsed':
    case 'health_window_elapsed':
    case 'deadline_reached':
    case 'slot_released':
    case 'silence_elapsed':
    case 'module_busy':
      return onScheduled(state, event, policy, now);
    case 'health_reported':
      return onHealthReported(state, event, policy, now);
    case 'version_reported':
      return onVersionReported(state, event, policy, now);
    case 'checked':
      return onChecked(state, event, policy, now);
    case 'accepted':
      return onAccepted(state, policy, now);
    case 'progress':
      return onProgress(state, event, policy, now);
    case 'failed':
      return onFailed(state, event, policy, now);
    case 'confirmed':
      return onConfirmed(state, policy, now);
    case 'rejected':
      return onRejected(state, policy, now);
    case 'appointed':
      return onAppointed(state, event, policy, now);
    case 'refused':
      return onRefused(state, event, policy, now);
    case 'operator_retry':
      return onOperatorRetry(state, now);
    case 'operator_cancel':
      return onOperatorCancel(state, now);
  }
}

function sameState(a: UpgradeState, b: UpgradeState): boolean {
  if (a === b) return true;
  for (const key of Object.keys(a) as (keyof UpgradeState)[]) {
    if (key !== 'updatedAt' && a[key] !== b[key]) return false;
  }
  return true;
}

/** Apply one event to one device upgrade; never throws for device input. */
export function applyUpgradeEvent(
  state: UpgradeState,
  event: UpgradeEvent,
  policy: UpgradePolicy,
  now: number,
): UpgradeTransition {
  const routed = route(state, event, policy, now);
  // In a plan of several components every log line names the component the event was about.
  const label = componentLabel(policy, state.component);
  const outcome = label === null ? routed : { ...routed, message: `${label}: ${routed.message}` };
  const actor = 'actor' in event && typeof event.actor === 'string' ? event.actor : null;
  if ('refusal' in outcome) {
    const log = {
      at: now,
      event: event.type,
      from: state.status,
      to: state.status,
      actor,
      message: outcome.message,
    };
    return { state, effects: [], log, accepted: false, refusal: outcome.refusal, changed: false };
  }
  const changed = !sameState(state, outcome.state);
  const next = changed ? { ...outcome.state, updatedAt: now } : state;
  const log = {
    at: now,
    event: event.type,
    from: state.status,
    to: next.status,
    actor,
    message: outcome.message,
  };
  return { state: next, effects: outcome.effects, log, accepted: true, refusal: null, changed };
}

// A step or result code about one upgrade (protocols.md §2.4 (4)/(5); Studio's status, §2.10):
// read from the body, turned into a canonical event through result-codes.ts, held to OneNET's
// task states (task-rules.ts, or a generation's own rule), and only then given to the engine.
// Reporting the code the upgrade already ended with again is taken (idempotent).
import { isTerminalUpgradeStatus } from '@updraft/core';
import type {
  AccessDevice,
  AccessProblem,
  DeviceAccess,
  UpgradeSummary,
} from '../../modules/device-access/device-access.ts';
import { endedProblem } from '../../modules/device-access/device-problems.ts';
import { eventFromOneNetCode } from './result-codes.ts';
import { oneNetCodeRule, repeatsEnd } from './task-rules.ts';

/** The integer code in `body[field]` (a number, or digits in a string), or null. */
export function readCode(body: unknown, field: 'step' | 'result'): number | null {
  const raw = body && typeof body === 'object' ? (body as Record<string, unknown>)[field] : undefined;
  const value = typeof raw === 'string' && /^\d{1,3}$/.test(raw) ? Number(raw) : raw;
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : null;
}

/**
 * Applies `code` to the upgrade `resolve` finds for the device (by token, or by task id); null
 * when it is taken (or harmlessly repeats the state or the end).
 */
export async function reportCode(
  access: Pick<DeviceAccess, 'report' | 'repeatSuccess'>,
  device: AccessDevice,
  resolve: () => Promise<{ upgrade: UpgradeSummary } | { problem: AccessProblem }>,
  code: number,
  rule: typeof oneNetCodeRule = oneNetCodeRule,
): Promise<AccessProblem | null> {
  const event = eventFromOneNetCode(code);
  if (event === null) return 'bad_result';
  const resolved = await resolve();
  // An expired token ends the flow (protocols.md §2.5): its reports are refused too.
  if ('problem' in resolved) return resolved.problem;
  const { upgrade } = resolved;
  if (isTerminalUpgradeStatus(upgrade.status)) {
    if (!repeatsEnd(upgrade.state, code, event)) return endedProblem(upgrade.status);
    // A success told again (its answer lost): the version it implies may not be written yet.
    if (event.type === 'succeeded') await access.repeatSuccess(device, upgrade);
    return null;
  }
  const decided = rule(upgrade.state, code, event);
  if (decided === 'repeat') return null;
  if (decided !== 'engine') return decided;
  return (await access.report(device, upgrade.module, event, { upgradeId: upgrade.id })).problem;
}

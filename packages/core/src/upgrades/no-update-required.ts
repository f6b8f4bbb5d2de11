// Quectel's "No Update Required" (protocols.md §3.1): a targeted device that already ran every
// component's target version. Its record ends in success without anything offered (each
// component skipped, component-status.ts), and the views count it apart from the devices that
// took the upgrade.
import type { UpgradeState } from './upgrade-state.ts';

type Outcome = Pick<UpgradeState, 'status' | 'skipped'>;

/** Whether the record ended in success with each of the plan's `count` components skipped. */
export function isNoUpdateRequired(record: Outcome, count: number): boolean {
  const every = 2 ** count - 1;
  return record.status === 'success' && count > 0 && (record.skipped & every) === every;
}

/** The records that needed no update, from counts grouped by (status, skipped) as a GROUP BY gives them. */
export function countNoUpdateRequired(
  groups: Iterable<Outcome & { readonly count: number }>,
  count: number,
): number {
  let total = 0;
  for (const group of groups) if (isNoUpdateRequired(group, count)) total += group.count;
  return total;
}

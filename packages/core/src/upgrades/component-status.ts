// Each component's state in a device upgrade (docs/adr/0013-plan-components.md), derived from
// the record: the components before the one under way succeeded (or were skipped), the one under
// way has the record's status, the ones after wait, or are never reached once the record ended.
import type { UpgradeState } from './upgrade-state.ts';

export const componentStatuses = [
  'waiting',
  'pending',
  'pushed',
  'upgrading',
  'success',
  'skipped',
  'failure',
  'cancelled',
  'not_reached',
] as const;
export type ComponentStatus = (typeof componentStatuses)[number];

export type ComponentCounts = Record<ComponentStatus, number>;

export function emptyComponentCounts(): ComponentCounts {
  return Object.fromEntries(componentStatuses.map((s) => [s, 0])) as ComponentCounts;
}

type Position = Pick<UpgradeState, 'status' | 'component' | 'skipped'>;

/** The state of component `index` of a record. */
export function componentStatusOf(record: Position, index: number): ComponentStatus {
  const skipped = (record.skipped & (1 << index)) !== 0;
  if (index < record.component) return skipped ? 'skipped' : 'success';
  if (index === record.component) return record.status === 'success' && skipped ? 'skipped' : record.status;
  return record.status === 'failure' || record.status === 'cancelled' ? 'not_reached' : 'waiting';
}

/** The state of each of the plan's `count` components in a record. */
export function componentStatusesOf(record: Position, count: number): ComponentStatus[] {
  return Array.from({ length: count }, (_, index) => componentStatusOf(record, index));
}

/**
 * Counts per component from counts of records grouped by (component, status, skipped), as a
 * GROUP BY in the database gives them.
 */
export function countComponents(
  groups: Iterable<Position & { readonly count: number }>,
  count: number,
): ComponentCounts[] {
  const counts = Array.from({ length: count }, emptyComponentCounts);
  for (const group of groups) {
    for (let index = 0; index < count; index++) {
      counts[index]![componentStatusOf(group, index)] += group.count;
    }
  }
  return counts;
}

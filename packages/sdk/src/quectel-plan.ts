// Which component of a QuecThing plan (0x0111) the device takes now. A plan of several components
// (TASK_INFO, 28) names them all in upgrade order (protocols.md §3.1: components are upgraded in
// the order added); the device takes the first whose target it does not run, as QuecThing does,
// and the server offers them one at a time in that order (docs/adr/0013-plan-components.md).
import type { OtaComponent } from '@updraft/protocol';

/**
 * The component to take: the first whose target is not the version the device runs
 * (`versionOf`). A plan of one is taken as it is (a device already on its target says so); of a
 * plan of several whose targets the device all runs, none.
 */
export function componentToTake(
  components: readonly OtaComponent[],
  versionOf: (componentNo: string) => string | undefined,
): OtaComponent | undefined {
  if (components.length === 1) return components[0];
  return components.find((c) => versionOf(c.componentNo) !== c.targetVersion);
}

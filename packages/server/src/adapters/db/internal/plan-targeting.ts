// Targeting as SQL: a plan's target, whitelist and blacklist are rows of plan_targets, and
// targetingSql is the join that selects the devices core's matchesTarget selects (tested
// against it in kysely-plan-stores.test.ts). A spec not saved (a preview) has its lists bound
// as values instead of read from plan_targets; the conditions are the same.
import { acceptedVersions, type PlanSpec, planComponents } from '@updraft/core';
import { type RawBuilder, sql } from 'kysely';
import type { TargetedSpec } from '../../../modules/plans/upgrade-store.ts';
import type { Db } from './plan-rows.ts';

export interface TargetPlan extends TargetedSpec {
  id: number;
}

type ListKind = 'whitelist' | 'blacklist' | 'device' | 'group' | 'version';

/** The spec's lists as plan_targets kinds: ids for devices and groups, text for versions. */
function targetLists(spec: PlanSpec): { kind: ListKind; values: readonly string[] }[] {
  const { target } = spec;
  return [
    { kind: 'whitelist', values: spec.whitelist },
    { kind: 'blacklist', values: spec.blacklist },
    { kind: 'device', values: target.kind === 'devices' ? target.deviceIds : [] },
    { kind: 'group', values: target.kind === 'groups' ? target.groupIds : [] },
    { kind: 'version', values: target.kind === 'versions' ? target.versions : [] },
  ];
}

const isText = (kind: ListKind) => kind === 'version';

/** The inside of `x in (…)`: the plan's rows of that kind, or the spec's values when not saved. */
function listed({ id, spec }: TargetedSpec, kind: ListKind): RawBuilder<unknown> {
  if (id !== null) {
    const column = sql.ref(isText(kind) ? 't.ref_text' : 't.ref_id');
    return sql`select ${column} from plan_targets t where t.plan_id = ${id} and t.kind = ${kind}`;
  }
  const values = targetLists(spec).find((l) => l.kind === kind)?.values ?? [];
  if (values.length === 0) return sql`select null where 1 = 0`;
  return sql.join(values.map((v) => (isText(kind) ? v : Number(v))));
}

/** The SQL form of core's targetExclusion(d, spec) === null for devices aliased `d`. */
export function targetingSql(plan: TargetedSpec): RawBuilder<boolean> {
  const { productId, module, spec } = plan;
  const conditions: RawBuilder<unknown>[] = [sql`d.product_id = ${productId}`];
  // Blacklist wins over whitelist and target (issue 3).
  if (spec.blacklist.length > 0) conditions.push(sql`d.id not in (${listed(plan, 'blacklist')})`);
  if (spec.whitelist.length > 0) conditions.push(sql`d.id in (${listed(plan, 'whitelist')})`);
  switch (spec.target.kind) {
    case 'all':
      break;
    case 'devices':
      conditions.push(sql`d.id in (${listed(plan, 'device')})`);
      break;
    case 'groups':
      conditions.push(sql`exists (select 1 from group_members gm where gm.device_id = d.id
        and gm.group_id in (${listed(plan, 'group')}))`);
      break;
    case 'versions':
      conditions.push(sql`exists (select 1 from device_versions dv where dv.device_id = d.id
        and dv.module = ${module} and dv.version in (${listed(plan, 'version')}))`);
      break;
  }
  // The components' version conditions (core targeting.ts, versionExclusion): a delta package
  // its source version, a full package its specified versions, and in a plan of several
  // components also the component's target (skipped).
  const components = planComponents(spec);
  for (const [index, component] of components.entries()) {
    const accepted = acceptedVersions(component);
    if (accepted === null) continue;
    const versions = components.length > 1 ? [...accepted, component.firmware.targetVersion] : accepted;
    const of = index === 0 ? module : component.moduleId;
    conditions.push(sql`exists (select 1 from device_versions dv where dv.device_id = d.id
      and dv.module = ${of} and dv.version in (${sql.join(versions)}))`);
  }
  return sql<boolean>`(${sql.join(conditions, sql` and `)})`;
}

/** The modules of a plan's components, in order. */
export function planModules(spec: PlanSpec, module: string): string[] {
  return planComponents(spec).map((c, index) => (index === 0 ? module : c.moduleId));
}

/** Devices `d` busy for one of `modules`: on it in another active plan, or to go on to it there. */
export function busySql(planId: number | null, modules: readonly string[]): RawBuilder<boolean> {
  const other = planId === null ? sql`` : sql` and o.plan_id <> ${planId}`;
  return sql<boolean>`(exists (select 1 from device_upgrades o where o.device_id = d.id
    and o.module in (${sql.join(modules)}) and o.active = 1${other}) or ${heldLaterSql(planId, modules)})`;
}

/**
 * Devices `d` that another plan holds for one of `modules` beyond the component it is on: the
 * one-active-plan index guards the module a record is on now, this the modules it will go on to
 * (docs/adr/0013-plan-components.md). `planId` null: every plan is another.
 */
export function heldLaterSql(planId: number | null, modules: readonly string[]): RawBuilder<boolean> {
  const other = planId === null ? sql`` : sql` and o.plan_id <> ${planId}`;
  return sql<boolean>`exists (select 1 from device_upgrades o join plan_components pc
    on pc.plan_id = o.plan_id and pc.position > o.component
    where o.device_id = d.id and o.active = 1${other} and pc.module in (${sql.join(modules)}))`;
}

export async function insertComponents(
  db: Db,
  planId: number,
  spec: PlanSpec,
  module: string,
): Promise<void> {
  const rows = planComponents(spec).map((c, position) => ({
    plan_id: planId,
    position,
    module: position === 0 ? module : c.moduleId,
    package_id: Number(c.firmware.packageId),
  }));
  await db.insertInto('plan_components').values(rows).execute();
}

function targetRows(planId: number, spec: PlanSpec) {
  const rows: { plan_id: number; kind: string; ref_id: number | null; ref_text: string | null }[] = [];
  for (const { kind, values } of targetLists(spec)) {
    for (const value of values) {
      rows.push(
        isText(kind)
          ? { plan_id: planId, kind, ref_id: null, ref_text: value }
          : { plan_id: planId, kind, ref_id: Number(value), ref_text: null },
      );
    }
  }
  return rows;
}

export async function insertTargets(db: Db, planId: number, spec: PlanSpec): Promise<void> {
  const rows = targetRows(planId, spec);
  for (let i = 0; i < rows.length; i += 2000) {
    await db
      .insertInto('plan_targets')
      .values(rows.slice(i, i + 2000))
      .execute();
  }
}

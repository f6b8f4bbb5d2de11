// Targeting as SQL: a plan's target, whitelist and blacklist are rows of plan_targets, and
// targetingSql is the join that selects the devices core's matchesTarget selects (tested
// against it in kysely-plan-store.test.ts). A spec not saved (a preview) has its lists bound
// as values instead of read from plan_targets; the conditions are the same.
import type { PlanSpec } from '@updraft/core';
import { type RawBuilder, sql } from 'kysely';
import type { TargetedSpec } from '../../../modules/plans/plan-store.ts';
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
  if (spec.firmware.kind === 'delta') {
    conditions.push(sql`exists (select 1 from device_versions dv where dv.device_id = d.id
      and dv.module = ${module} and dv.version = ${spec.firmware.sourceVersion})`);
  }
  return sql<boolean>`(${sql.join(conditions, sql` and `)})`;
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

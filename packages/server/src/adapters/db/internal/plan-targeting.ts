// Targeting as SQL: a plan's target, whitelist and blacklist are rows of plan_targets, and
// targetingSql is the join that selects the devices core's matchesTarget selects (tested
// against it in kysely-plan-store.test.ts).
import type { PlanSpec } from '@updraft/core';
import { type RawBuilder, sql } from 'kysely';
import type { Db } from './plan-rows.ts';

export interface TargetPlan {
  id: number;
  productId: number;
  module: string;
  spec: PlanSpec;
}

/** The SQL form of core's targetExclusion(d, spec) === null for devices aliased `d`. */
export function targetingSql({ id, productId, module, spec }: TargetPlan): RawBuilder<boolean> {
  const targetRow = (kind: string) =>
    sql`exists (select 1 from plan_targets t where t.plan_id = ${id} and t.kind = ${kind} and t.ref_id = d.id)`;
  const conditions: RawBuilder<unknown>[] = [sql`d.product_id = ${productId}`];
  // Blacklist wins over whitelist and target (issue 3).
  if (spec.blacklist.length > 0) conditions.push(sql`not ${targetRow('blacklist')}`);
  if (spec.whitelist.length > 0) conditions.push(targetRow('whitelist'));
  switch (spec.target.kind) {
    case 'all':
      break;
    case 'devices':
      conditions.push(targetRow('device'));
      break;
    case 'groups':
      conditions.push(sql`exists (select 1 from group_members gm join plan_targets t on t.ref_id = gm.group_id
        where t.plan_id = ${id} and t.kind = 'group' and gm.device_id = d.id)`);
      break;
    case 'versions':
      conditions.push(sql`exists (select 1 from device_versions dv join plan_targets t on t.ref_text = dv.version
        where t.plan_id = ${id} and t.kind = 'version' and dv.device_id = d.id and dv.module = ${module})`);
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
  const ids = (kind: string, list: readonly string[]) => {
    for (const value of list) rows.push({ plan_id: planId, kind, ref_id: Number(value), ref_text: null });
  };
  ids('whitelist', spec.whitelist);
  ids('blacklist', spec.blacklist);
  if (spec.target.kind === 'devices') ids('device', spec.target.deviceIds);
  if (spec.target.kind === 'groups') ids('group', spec.target.groupIds);
  if (spec.target.kind === 'versions') {
    for (const v of spec.target.versions)
      rows.push({ plan_id: planId, kind: 'version', ref_id: null, ref_text: v });
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

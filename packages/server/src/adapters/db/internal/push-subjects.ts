// The push queue's read of a chunk of pushes (UpgradeStore.pushSubjects): each upgrade with its
// device's identity and the version the device last reported for the upgrade's module, and no
// more, in one statement per 500 ids.

import { sql } from 'kysely';
import type { PushSubject } from '../../../modules/plans/upgrade-store.ts';
import { type Db, toStoredUpgrade, type UpgradeRow } from './plan-rows.ts';

const pushQuery = sql`select u.*, p.status as plan_status, d.product_id as device_product_id,
  d.name as device_name, d.gateway_id as device_gateway_id, dv.version as device_version
  from device_upgrades u join devices d on d.id = u.device_id join plans p on p.id = u.plan_id
  left join device_versions dv on dv.device_id = u.device_id and dv.module = u.module`;

type PushRow = UpgradeRow & {
  plan_status: string;
  device_product_id: number;
  device_name: string;
  device_gateway_id: number | null;
  device_version: string | null;
};

export async function pushSubjects(db: Db, ids: readonly number[]): Promise<PushSubject[]> {
  const found: PushSubject[] = [];
  for (let start = 0; start < ids.length; start += 500) {
    const part = ids.slice(start, start + 500);
    const rows = await sql<PushRow>`${pushQuery} where u.id in (${sql.join(part)})`.execute(db);
    for (const row of rows.rows) {
      found.push({
        upgrade: toStoredUpgrade(row),
        device: {
          id: row.device_id,
          productId: row.device_product_id,
          name: row.device_name,
          gatewayId: row.device_gateway_id,
        },
        version: row.device_version,
      });
    }
  }
  return found;
}

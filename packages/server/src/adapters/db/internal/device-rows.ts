// Device and group rows to domain values, and the device-list filters as SQL: shared by the
// device store and its group part (device-groups.ts).
import type { Selectable, SelectQueryBuilder } from 'kysely';
import type { Device, DeviceFilter, DeviceGroup } from '../../../modules/devices/device-store.ts';
import type { DatabaseSchema, DeviceGroupsTable, DevicesTable } from '../schema.ts';
import { containsText } from '../sql-helpers.ts';

// Both SQLite (32,766) and PostgreSQL (65,535) cap the parameters of one statement.
export const rowsPerStatement = 2000;

export function toDevice(row: Selectable<DevicesTable>): Device {
  return {
    id: row.id,
    productId: row.product_id,
    name: row.name,
    gatewayId: row.gateway_id,
    online: row.online === 1,
    lastSeenAt: row.last_seen_at,
    signal: row.signal,
    battery: row.battery,
    freeSpace: row.free_space,
    tags: JSON.parse(row.tags) as string[],
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function toGroup(row: Selectable<DeviceGroupsTable>): DeviceGroup {
  return {
    id: row.id,
    productId: row.product_id,
    name: row.name,
    description: row.description,
    createdAt: row.created_at,
  };
}

export type DeviceQuery<O> = SelectQueryBuilder<DatabaseSchema, 'devices', O>;
export type MemberRow = { group_id: number; device_id: number; added_at: number };

/** The filters of a device list as joins-free `exists` clauses, so every index can serve. */
export function filtered<O>(query: DeviceQuery<O>, filter: DeviceFilter): DeviceQuery<O> {
  return query
    .$if(filter.productId !== undefined, (q) => q.where('devices.product_id', '=', filter.productId!))
    .$if(filter.online !== undefined, (q) => q.where('devices.online', '=', filter.online ? 1 : 0))
    .$if(filter.gatewayId !== undefined, (q) => q.where('devices.gateway_id', '=', filter.gatewayId!))
    .$if(!!filter.q, (q) => q.where(containsText('devices.name', filter.q!)))
    .$if(filter.module !== undefined || filter.version !== undefined, (q) =>
      q.where(({ exists, selectFrom }) =>
        exists(
          selectFrom('device_versions')
            .select('device_versions.device_id')
            .whereRef('device_versions.device_id', '=', 'devices.id')
            .where('device_versions.module', '=', filter.module ?? 'default')
            .$if(filter.version !== undefined, (s) =>
              s.where('device_versions.version', '=', filter.version!),
            ),
        ),
      ),
    )
    .$if(filter.groupId !== undefined, (q) =>
      q.where(({ exists, selectFrom }) =>
        exists(
          selectFrom('group_members')
            .select('group_members.device_id')
            .whereRef('group_members.device_id', '=', 'devices.id')
            .where('group_members.group_id', '=', filter.groupId!),
        ),
      ),
    )
    .$if(filter.tag !== undefined, (q) =>
      q.where(({ exists, selectFrom }) =>
        exists(
          selectFrom('device_tags')
            .select('device_tags.device_id')
            .whereRef('device_tags.device_id', '=', 'devices.id')
            .where('device_tags.tag', '=', filter.tag!),
        ),
      ),
    );
}

export function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

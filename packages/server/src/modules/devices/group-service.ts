// Static device groups: named sets of one product's devices, changed in bulk.
import { UpdraftError } from '@updraft/core';
import type { Clock } from '../../adapters/clock/clock.ts';
import type { Page, PageRequest } from '../pagination.ts';
import { checkGroupName } from './device-rules.ts';
import type {
  Device,
  DeviceFilter,
  DeviceGroup,
  DeviceStore,
  GroupFilter,
  MemberFilter,
} from './device-store.ts';

export const maxMemberIds = 10_000;

export interface GroupServiceDeps {
  store: DeviceStore;
  products: { getProduct(id: number): Promise<unknown> };
  clock: Clock;
}

export type MemberSelection = { deviceIds: number[] } | { filter: DeviceFilter };

function checkDescription(text: string): string {
  const description = text.trim();
  if ([...description].length > 1000) {
    throw new UpdraftError('VALIDATION_FAILED', 'a description has at most 1000 characters', {
      field: 'description',
    });
  }
  return description;
}

export function createGroupService({ store, products, clock }: GroupServiceDeps) {
  async function getGroup(id: number): Promise<DeviceGroup> {
    const group = await store.getGroup(id);
    if (!group) throw new UpdraftError('NOT_FOUND', `no group ${id}`, { resource: 'group', id });
    return group;
  }

  function checkIds(ids: number[]): number[] {
    if (ids.length > maxMemberIds) {
      throw new UpdraftError('VALIDATION_FAILED', `at most ${maxMemberIds} device ids at once`, {
        field: 'deviceIds',
      });
    }
    return [...new Set(ids)];
  }

  return {
    getGroup,

    async getGroupDetail(id: number): Promise<{ group: DeviceGroup; members: number }> {
      const group = await getGroup(id);
      return { group, members: await store.countDevices({ groupId: id }) };
    },

    async createGroup(input: {
      productId: number;
      name: string;
      description?: string;
    }): Promise<DeviceGroup> {
      await products.getProduct(input.productId);
      const name = checkGroupName(input.name);
      const description = checkDescription(input.description ?? '');
      return store.insertGroup({ productId: input.productId, name, description }, clock.now());
    },

    /** Renames a group or changes its description; its members stay. */
    async updateGroup(id: number, patch: { name?: string; description?: string }): Promise<DeviceGroup> {
      const checked = {
        ...(patch.name !== undefined && { name: checkGroupName(patch.name) }),
        ...(patch.description !== undefined && { description: checkDescription(patch.description) }),
      };
      const group = await store.updateGroup(id, checked);
      if (!group) throw new UpdraftError('NOT_FOUND', `no group ${id}`, { resource: 'group', id });
      return group;
    },

    /** A page of groups, each with its number of members. */
    async listGroups(
      filter: GroupFilter,
      page: PageRequest,
    ): Promise<Page<DeviceGroup & { members: number }>> {
      const listed = await store.listGroups(filter, page);
      const counts = await store.memberCounts(listed.items.map((g) => g.id));
      return { ...listed, items: listed.items.map((g) => ({ ...g, members: counts.get(g.id) ?? 0 })) };
    },

    async deleteGroup(id: number): Promise<void> {
      if (!(await store.deleteGroup(id))) {
        throw new UpdraftError('NOT_FOUND', `no group ${id}`, { resource: 'group', id });
      }
    },

    /**
     * Adds devices by id (every one must be a device of the group's product) or every device of
     * the group's product that matches a filter. Members already there are skipped.
     */
    async addMembers(id: number, selection: MemberSelection): Promise<{ added: number }> {
      const group = await getGroup(id);
      if ('filter' in selection) {
        return { added: await store.addMembersMatching(id, selection.filter, clock.now()) };
      }
      const ids = checkIds(selection.deviceIds);
      const foreign = await store.findForeignDevices(group.productId, ids);
      if (foreign.length > 0) {
        throw new UpdraftError(
          'VALIDATION_FAILED',
          `${foreign.length} of the devices are not devices of product ${group.productId}`,
          { field: 'deviceIds', deviceIds: foreign.slice(0, 100) },
        );
      }
      return { added: await store.addMembers(id, ids, clock.now()) };
    },

    async removeMembers(id: number, deviceIds: number[]): Promise<{ removed: number }> {
      await getGroup(id);
      return { removed: await store.removeMembers(id, checkIds(deviceIds)) };
    },

    async listMembers(id: number, filter: MemberFilter, page: PageRequest): Promise<Page<Device>> {
      await getGroup(id);
      return store.listMembers(id, filter, page);
    },
  };
}

export type GroupService = ReturnType<typeof createGroupService>;

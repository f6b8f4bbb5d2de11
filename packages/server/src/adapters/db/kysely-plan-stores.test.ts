import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createUpgradeState, matchesTarget, type TargetDevice, validatePlanSpec } from '@updraft/core';
import { createPlanStores, type PlanStores, seedFleet, seedPackage } from '../../test-support/plan-fleet.ts';
import { seededRandom } from '../../test-support/seeded-random.ts';
import { createTestDatabase, skipReason, type TestDatabase } from '../../test-support/test-database.ts';

const skip = (await skipReason()) ?? false;

describe('kysely plan store', { skip }, () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase();
  });
  after(() => t.dispose());

  /** A plan over all the product's devices, with a full package 2.0 of its own. */
  async function insertFullPlan(store: PlanStores, productId: number, name: string) {
    const pkg = await seedPackage(t.database, productId, '2.0');
    const spec = validatePlanSpec({
      name,
      productId: String(productId),
      moduleId: 'default',
      firmware: { kind: 'full', packageId: String(pkg), targetVersion: '2.0' },
      target: { kind: 'all' },
    });
    assert.ok(spec.ok);
    const input = {
      productId,
      module: 'default',
      name,
      firmwarePackageId: pkg,
      spec: spec.spec,
      verification: false,
      createdBy: 't',
    };
    return { plan: await store.insertPlan(input, 0), input };
  }

  it('enrols in batches, and counts saved or not, exactly the devices core matchesTarget selects', async () => {
    const next = seededRandom(7);
    const versions = ['1.0', '1.1', '2.0', null];
    const fleet = await seedFleet(t.database, 120, { versionOf: () => versions[Math.floor(next() * 4)]! });
    const other = await seedFleet(t.database, 5);
    const { db } = t.database;
    const groups: number[] = [];
    for (const name of ['g1', 'g2', 'g3']) {
      const g = await db
        .insertInto('device_groups')
        .values({ product_id: fleet.productId, name, description: '', created_at: 0 })
        .returning('id')
        .executeTakeFirstOrThrow();
      groups.push(Number(g.id));
    }
    const membership = new Map<number, string[]>();
    for (const id of fleet.deviceIds) {
      for (const g of groups) {
        if (next() < 0.3) {
          await db.insertInto('group_members').values({ group_id: g, device_id: id, added_at: 0 }).execute();
          membership.set(id, [...(membership.get(id) ?? []), String(g)]);
        }
      }
    }
    const versionRows = await db.selectFrom('device_versions').selectAll().execute();
    const versionOf = new Map(versionRows.map((r) => [Number(r.device_id), r.version]));
    const devices: TargetDevice[] = [...fleet.deviceIds, ...other.deviceIds].map((id) => ({
      id: String(id),
      productId: String(fleet.deviceIds.includes(id) ? fleet.productId : other.productId),
      groupIds: membership.get(id) ?? [],
      currentVersion: versionOf.get(id) ?? null,
    }));
    const full = await seedPackage(t.database, fleet.productId, '3.0');
    const delta = await seedPackage(t.database, fleet.productId, '3.0', { sourceVersion: '1.1' });
    const pick = (n: number) => fleet.deviceIds.filter(() => next() < n / fleet.deviceIds.length).map(String);
    const targets = [
      { kind: 'all' },
      { kind: 'devices', deviceIds: [...pick(30), String(other.deviceIds[0])] },
      { kind: 'groups', groupIds: [String(groups[0]), String(groups[2])] },
      { kind: 'versions', versions: ['1.0', '1.1'] },
    ];
    const store = createPlanStores(t.database);
    let cases = 0;
    for (const target of targets) {
      for (const lists of [
        {},
        { whitelist: pick(60) },
        { blacklist: pick(20) },
        { whitelist: pick(60), blacklist: pick(40) },
      ]) {
        for (const firmware of [
          { kind: 'full', packageId: String(full), targetVersion: '3.0' },
          { kind: 'delta', packageId: String(delta), targetVersion: '3.0', sourceVersion: '1.1' },
        ]) {
          const checked = validatePlanSpec({
            name: `case ${cases++}`,
            productId: String(fleet.productId),
            moduleId: 'default',
            firmware,
            target,
            ...lists,
          });
          assert.ok(checked.ok, JSON.stringify(!checked.ok && checked.issues));
          const plan = await store.insertPlan(
            {
              productId: fleet.productId,
              module: 'default',
              name: checked.spec.name,
              firmwarePackageId: Number(firmware.packageId),
              spec: checked.spec,
              verification: false,
              createdBy: 'test',
            },
            0,
          );
          let batches = 0;
          for (;;) {
            batches += 1;
            const { done } = await store.enrolNextBatch(
              plan.id,
              17,
              createUpgradeState(0, { manual: false }),
            );
            if (done) break;
          }
          assert.ok(batches >= 120 / 17, 'enrolled in batches');
          const enrolled = await db
            .selectFrom('device_upgrades')
            .select('device_id')
            .where('plan_id', '=', plan.id)
            .orderBy('device_id')
            .execute();
          const expected = devices.filter((d) => matchesTarget(d, checked.spec)).map((d) => Number(d.id));
          assert.deepEqual(
            enrolled.map((r) => Number(r.device_id)),
            expected,
            `case ${plan.name}: ${JSON.stringify({ target: target.kind, lists: Object.keys(lists), firmware: firmware.kind })}`,
          );
          for (const id of [plan.id, null]) {
            const counted = await store.countTargets({ ...plan, id }, 5);
            assert.equal(
              counted.devices,
              expected.length,
              `case ${plan.name} counted ${id ? 'saved' : 'not saved'}`,
            );
          }
          // The next case enrols the same devices: end these records so they are free again.
          await db
            .updateTable('device_upgrades')
            .set({ active: 0, status: 'cancelled' })
            .where('plan_id', '=', plan.id)
            .execute();
        }
      }
    }
    assert.equal(cases, 32);
  });

  it('keeps a device in at most one active upgrade per module', async () => {
    const fleet = await seedFleet(t.database, 3);
    const store = createPlanStores(t.database);
    const { plan: a, input } = await insertFullPlan(store, fleet.productId, 'p');
    const b = await store.insertPlan({ ...input, name: 'p again' }, 0);
    const initial = createUpgradeState(0, { manual: false });
    assert.deepEqual(await store.enrolNextBatch(a.id, 100, initial), { inserted: 3, done: true });
    assert.deepEqual(await store.enrolNextBatch(b.id, 100, initial), { inserted: 0, done: true });
    assert.deepEqual(await store.findConflicts(b, 2), {
      count: 3,
      deviceIds: fleet.deviceIds.slice(0, 2),
    });
    // The preview's count of the same in one pass; a plan's own records do not make it busy.
    assert.deepEqual(await store.countTargets(b, 2), {
      devices: 3,
      busy: { count: 3, deviceIds: fleet.deviceIds.slice(0, 2) },
    });
    assert.deepEqual(await store.countTargets(a, 2), { devices: 3, busy: { count: 0, deviceIds: [] } });
  });

  it('looks up many upgrades at once, for pushes or by device, as one at a time would, past one statement of ids', async () => {
    // Every seventh device has reported no version.
    const fleet = await seedFleet(t.database, 620, { versionOf: (i) => (i % 7 === 0 ? null : `1.${i}`) });
    const store = createPlanStores(t.database);
    const { plan } = await insertFullPlan(store, fleet.productId, 'bulk');
    await store.enrolNextBatch(plan.id, 1000, createUpgradeState(0, { manual: false }));
    const ids: number[] = [];
    for (let after: number | undefined; ; ) {
      const page = await store.listUpgrades(plan.id, {}, { after, limit: 500 });
      ids.push(...page.items.map((u) => u.id));
      if (page.next === null) break;
      after = page.next;
    }
    assert.equal(ids.length, 620);
    const wanted = [...ids.filter((_, i) => i % 3 !== 1), 999_999_999];
    // What a chunk of pushes reads: each upgrade with its device and version.
    const found = await store.pushSubjects(wanted);
    assert.equal(found.length, wanted.length - 1, 'an unknown id is left out');
    for (const id of [wanted[0]!, wanted[200]!, wanted[412]!]) {
      const { upgrade, device, version } = found.find((s) => s.upgrade.id === id)!;
      const record = (await store.getUpgrade(id))!;
      const { deviceName: _, device: seen, ...stored } = record;
      assert.deepEqual(upgrade, stored);
      const i = fleet.deviceIds.indexOf(record.deviceId);
      assert.deepEqual(device, {
        id: record.deviceId,
        productId: fleet.productId,
        name: `d${i}`,
        gatewayId: null,
      });
      assert.equal(version, seen.version);
      assert.equal(version, i % 7 === 0 ? null : `1.${i}`);
    }
    assert.deepEqual(await store.pushSubjects([]), []);
    // By device, active ones only (an LwM2M instance's sweep, issue 21).
    const active = await store.activeUpgradesOfDevices([...fleet.deviceIds, 999_999_999]);
    assert.equal(active.length, 620);
    const device = fleet.deviceIds[550]!;
    assert.deepEqual(
      active.filter((u) => u.deviceId === device),
      await store.activeUpgradesOfDevice(device),
    );
    assert.deepEqual(await store.activeUpgradesOfDevices([]), []);
  });

  it("reads a device's active upgrade of a module with its version of it as the two reads would", async () => {
    const fleet = await seedFleet(t.database, 4, { versionOf: (i) => (i < 2 ? '1.0' : null) });
    const store = createPlanStores(t.database);
    const { plan } = await insertFullPlan(store, fleet.productId, 'together');
    await store.enrolNextBatch(plan.id, 100, createUpgradeState(0, { manual: false }));
    const idle = await seedFleet(t.database, 2, { versionOf: (i) => (i === 0 ? '1.0' : null) });
    const seen = new Set<string>();
    for (const id of [...fleet.deviceIds, ...idle.deviceIds]) {
      for (const module of ['default', 'other']) {
        const row = await t.database.db
          .selectFrom('device_versions')
          .select('version')
          .where('device_id', '=', id)
          .where('module', '=', module)
          .executeTakeFirst();
        const upgrade = await store.activeUpgradeRow(id, module);
        const together = await store.activeUpgradeRowWithVersion(id, module);
        assert.deepEqual(together, { upgrade, version: row?.version });
        seen.add(`${upgrade ? 'upgrade' : 'none'} ${row ? 'version' : 'none'}`);
      }
    }
    assert.equal(seen.size, 4, 'every combination of an upgrade and a version, or neither');
  });

  it("reads a device's newest upgrade of a module, ended or active, as paging through its upgrades would", async () => {
    const fleet = await seedFleet(t.database, 3);
    const store = createPlanStores(t.database);
    // Devices 0 and 1 end an upgrade of a first plan; device 0 then gets one of a second plan.
    const first = await insertFullPlan(store, fleet.productId, 'first');
    await store.enrolNextBatch(first.plan.id, 100, createUpgradeState(0, { manual: false }));
    await t.database.db
      .updateTable('device_upgrades')
      .set({ active: 0, status: 'failure' })
      .where('plan_id', '=', first.plan.id)
      .execute();
    await t.database.db
      .deleteFrom('device_upgrades')
      .where('plan_id', '=', first.plan.id)
      .where('device_id', '=', fleet.deviceIds[2]!)
      .execute();
    const second = { plan: await store.insertPlan({ ...first.input, name: 'second' }, 0) };
    await store.enrolNextBatch(second.plan.id, 100, createUpgradeState(0, { manual: false }));
    await t.database.db
      .deleteFrom('device_upgrades')
      .where('plan_id', '=', second.plan.id)
      .where('device_id', '!=', fleet.deviceIds[0]!)
      .execute();
    const found: (string | undefined)[] = [];
    for (const id of fleet.deviceIds) {
      for (const module of ['default', 'other']) {
        let paged: number | undefined;
        for (let after: number | undefined; ; ) {
          const page = await store.upgradesOfDevice(id, { after, limit: 1 });
          for (const u of page.items) if (u.module === module) paged = u.id;
          if (page.next === null) break;
          after = page.next;
        }
        const last = await store.lastUpgradeRow(id, module);
        assert.equal(last?.id, paged);
        if (last) assert.deepEqual(last, await store.upgradeRow(last.id));
        found.push(
          last && `${module} ${last.planId === second.plan.id ? 'second' : 'first'} ${last.state.status}`,
        );
      }
    }
    assert.deepEqual(found, [
      'default second pending',
      undefined,
      'default first failure',
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('counts ended upgrades per day of finish time, for every plan or one product, from a given day', async () => {
    const day = 86_400_000;
    const monday = Date.UTC(2026, 10, 30);
    const store = createPlanStores(t.database);
    async function planOf(fleet: { productId: number }) {
      const { plan } = await insertFullPlan(store, fleet.productId, 'series');
      await store.enrolNextBatch(plan.id, 100, createUpgradeState(0, { manual: false }));
    }
    const a = await seedFleet(t.database, 6);
    const b = await seedFleet(t.database, 2);
    await planOf(a);
    await planOf(b);
    const end = async (deviceId: number, status: string, finishedAt: number | null, active = 0) =>
      t.database.db
        .updateTable('device_upgrades')
        .set({ status, finished_at: finishedAt, active })
        .where('device_id', '=', deviceId)
        .execute();
    const [a0, a1, a2, a3, a4, a5] = a.deviceIds as [number, number, number, number, number, number];
    await end(a0, 'success', monday - day + 1);
    await end(a1, 'success', monday + 10);
    await end(a2, 'failure', monday + day - 1);
    await end(a3, 'cancelled', monday + 5);
    await end(a4, 'success', monday - 3 * day);
    await end(a5, 'upgrading', null, 1);
    await end(b.deviceIds[0]!, 'failure', monday + 1);
    await end(b.deviceIds[1]!, 'success', monday + 2 * day);
    const since = monday - day;
    assert.deepEqual(await store.completions({ since }, day), [
      { at: monday - day, success: 1, failure: 0, cancelled: 0 },
      { at: monday, success: 1, failure: 2, cancelled: 1 },
      { at: monday + day * 2, success: 1, failure: 0, cancelled: 0 },
    ]);
    assert.deepEqual(await store.completions({ productId: a.productId, since }, day), [
      { at: monday - day, success: 1, failure: 0, cancelled: 0 },
      { at: monday, success: 1, failure: 1, cancelled: 1 },
    ]);
    assert.deepEqual(await store.completions({ productId: b.productId, since: monday + day }, day), [
      { at: monday + day * 2, success: 1, failure: 0, cancelled: 0 },
    ]);
  });
});

// The scheduler across a simulated crash, and two instances on one database: every step
// happens once. Each "instance" has its own database connection, engine, service and clock.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Database, openDatabase } from '../adapters/db/database.ts';
import type { PlanStores } from '../test-support/plan-fleet.ts';
import { seedFleet, seedPackage, wirePlans } from '../test-support/plan-fleet.ts';
import {
  createTestDatabase,
  skipReason,
  type TestDatabase,
  testDatabaseKind,
} from '../test-support/test-database.ts';
import { createScheduler } from './scheduler.ts';

const skip = (await skipReason()) ?? false;
const minute = 60_000;
const start = Date.UTC(2026, 0, 1);

class Crash extends Error {}

function connect(t: TestDatabase): Database {
  return t.url.startsWith('sqlite:')
    ? openDatabase({ kind: 'sqlite', path: t.url.slice('sqlite:'.length) })
    : openDatabase({ kind: 'postgres', url: t.url });
}

/** A plans instance on its own connection; `crash` may replace store methods to die midway. */
function instance(
  database: Database,
  now: number,
  patch?: (store: PlanStores) => void,
  owner = `instance-${Math.random()}`,
) {
  const wired = wirePlans(database, { start: now, batchSize: 4 });
  patch?.(wired.store);
  const errors: unknown[] = [];
  const scheduler = createScheduler({
    work: wired.plans,
    owner,
    leaseMs: minute,
    onError: (error) => errors.push(error),
  });
  return { ...wired, scheduler, errors };
}

describe('scheduler', { skip }, () => {
  let t: TestDatabase;
  const opened: Database[] = [];
  before(async () => {
    t = await createTestDatabase();
  });
  after(async () => {
    const closed = await Promise.allSettled(opened.map((database) => database.close()));
    await t.dispose();
    for (const result of closed) if (result.status === 'rejected') throw result.reason;
  });
  const open = () => {
    const database = connect(t);
    opened.push(database);
    return database;
  };

  it('carries a plan to completion across crashes mid-enrolment, after a commit and inside a transaction', async () => {
    const fleet = await seedFleet(t.database, 120);
    const packageId = await seedPackage(t.database, fleet.productId, '2.0');
    const setup = instance(open(), start);
    const plan = await setup.plans.createPlan(
      {
        name: 'crash',
        productId: fleet.productId,
        firmwarePackageId: packageId,
        target: { kind: 'all' },
        start: { mode: 'at', at: start + minute },
      },
      'u',
    );
    await setup.plans.publish(plan.id, 'u');

    // A dies after its second enrolment batch has committed, holding the plan's lease.
    let batches = 0;
    const a = instance(open(), start + minute, (store) => {
      const enrol = store.enrolNextBatch.bind(store);
      store.enrolNextBatch = async (...args) => {
        const result = await enrol(...args);
        if (++batches === 2) throw new Crash('after enrolment batch 2');
        return result;
      };
      store.releasePlanLease = async () => {
        throw new Crash('dead');
      };
    });
    await a.scheduler.tick();
    assert.ok(a.errors[0] instanceof Crash);
    assert.equal((await a.plans.getPlan(plan.id)).status, 'running');
    assert.equal((await a.store.countUpgrades(plan.id)).pending, 80);

    // B waits for the lease, then dies inside a dispatch transaction (rolled back) ...
    let claims = 0;
    const b = instance(open(), start + minute + 30_000, (store) => {
      const update = store.updateUpgrades.bind(store);
      store.updateUpgrades = (selector, limit, apply) =>
        update(selector, limit, (rows, plans) => {
          if (selector.kind === 'due_dispatch' && ++claims === 3) throw new Crash('inside a transaction');
          return apply(rows, plans);
        });
    });
    await b.scheduler.tick();
    assert.equal(b.errors.length, 0, 'the lease of A still holds');
    b.clock.advance(minute);
    await b.scheduler.tick();
    assert.ok(b.errors[0] instanceof Crash);
    const afterB = await b.store.countUpgrades(plan.id);
    assert.equal(afterB.pending + afterB.pushed, 120, 'enrolment finished exactly once');
    assert.equal(afterB.pushed, 8, 'two dispatch batches committed, the third rolled back');
    assert.equal(b.notifier.notified.length, 8);

    // ... and C loses its notifications: the state is committed, the pushes never left.
    const c = instance(open(), b.clock.now(), (store) => store);
    c.notifier.notify = async () => {
      throw new Crash('after commit, before the transports heard');
    };
    await c.scheduler.tick();
    assert.ok(c.errors[0] instanceof Crash);

    // D is healthy. Devices answer every push; lost pushes come again with the push period.
    const d = instance(open(), c.clock.now());
    for (let round = 0; round < 40; round++) {
      await d.scheduler.tick();
      const pushed = [...b.notifier.notified.splice(0), ...d.notifier.notified.splice(0)];
      await d.engine.reportDeviceEvents(
        pushed.map((n) => ({ deviceId: n.deviceId, event: { type: 'progress', percent: 100 } as const })),
      );
      d.clock.advance(minute);
      if ((await d.plans.getPlan(plan.id)).status === 'completed') break;
    }
    assert.deepEqual(d.errors, []);
    const counts = await d.store.countUpgrades(plan.id);
    assert.equal(counts.success, 120);
    const rows = await t.database.db
      .selectFrom('device_upgrades')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('plan_id', '=', plan.id)
      .executeTakeFirstOrThrow();
    assert.equal(Number(rows.n), 120, 'one record per device');
    const actions = (await d.plans.listTransitions(plan.id)).map((r) => `${r.action}:${r.actor}`);
    assert.deepEqual(actions, ['schedule:u', 'start:system', 'complete:system']);
  });

  it('lets an instance restarted under its owner take back at once the lease a crash left, and no other', async () => {
    const fleet = await seedFleet(t.database, 20);
    const packageId = await seedPackage(t.database, fleet.productId, '2.0');
    // A dies inside its first dispatch, holding the plan's lease.
    const a = instance(
      open(),
      start,
      (store) => {
        store.updateUpgrades = async () => {
          throw new Crash('inside the dispatch');
        };
        store.releasePlanLease = async () => {
          throw new Crash('dead');
        };
      },
      'scheduler-host-8080',
    );
    const plan = await a.plans.createPlan(
      { name: 'restart', productId: fleet.productId, firmwarePackageId: packageId, target: { kind: 'all' } },
      'u',
    );
    await a.plans.publish(plan.id, 'u');
    await a.scheduler.tick();
    assert.ok(a.errors[0] instanceof Crash);
    const other = instance(open(), start + 1000);
    await other.scheduler.tick();
    assert.equal((await other.store.countUpgrades(plan.id)).pushed, 0, 'another owner waits for the lease');
    const restarted = instance(open(), start + 1000, undefined, 'scheduler-host-8080');
    await restarted.scheduler.tick();
    assert.deepEqual(restarted.errors, []);
    assert.equal((await restarted.store.countUpgrades(plan.id)).pushed, 20, 'dispatched at once');
    // Out of the way of the tests after this one, which share the database.
    await restarted.plans.runAction(plan.id, 'cancel', 'u');
    await restarted.scheduler.tick();
    assert.ok(!(await restarted.plans.livePlanIds()).includes(plan.id));
  });

  it('ends the records of a plan cancelled just before a crash', async () => {
    const fleet = await seedFleet(t.database, 30);
    const packageId = await seedPackage(t.database, fleet.productId, '2.0');
    const a = instance(open(), start, (store) => {
      store.updateUpgrades = async () => {
        throw new Crash('after the cancel transition, before the records');
      };
    });
    const plan = await a.plans.createPlan(
      {
        name: 'cancel crash',
        productId: fleet.productId,
        firmwarePackageId: packageId,
        target: { kind: 'all' },
      },
      'u',
    );
    await a.plans.publish(plan.id, 'u');
    await assert.rejects(a.plans.runAction(plan.id, 'cancel', 'u'), Crash);
    assert.equal((await a.plans.getPlan(plan.id)).status, 'cancelled');
    assert.equal((await a.store.countUpgrades(plan.id)).pending, 30);
    const b = instance(open(), start);
    await b.scheduler.tick();
    assert.deepEqual(b.errors, []);
    assert.equal((await b.store.countUpgrades(plan.id)).cancelled, 30);
    assert.ok(!(await b.plans.livePlanIds()).includes(plan.id));
  });

  // Two node:sqlite connections in one process block each other synchronously (the busy handler
  // stalls the event loop that would finish the other's transaction); separate processes on one
  // SQLite file are serialised by BEGIN IMMEDIATE instead. The multi-instance case is PostgreSQL's.
  const sqliteOnly = testDatabaseKind === 'sqlite' && 'two instances in one process need PostgreSQL';
  it('with two instances on one PostgreSQL, fires each scheduled start once and pushes every device once per round', {
    skip: sqliteOnly,
  }, async () => {
    const a = instance(open(), start);
    const b = instance(open(), start);
    const planIds: number[] = [];
    const devices = new Set<number>();
    for (let i = 0; i < 3; i++) {
      const fleet = await seedFleet(t.database, 150);
      for (const id of fleet.deviceIds) devices.add(id);
      const packageId = await seedPackage(t.database, fleet.productId, '2.0');
      const plan = await a.plans.createPlan(
        {
          name: `twin ${i}`,
          productId: fleet.productId,
          firmwarePackageId: packageId,
          target: { kind: 'all' },
          start: { mode: 'at', at: start + minute },
          pushPeriodSeconds: 600,
        },
        'u',
      );
      await a.plans.publish(plan.id, 'u');
      planIds.push(plan.id);
    }
    const both = async () => {
      await Promise.all([a.scheduler.tick(), b.scheduler.tick()]);
    };
    const setBoth = (ms: number) => {
      a.clock.set(ms);
      b.clock.set(ms);
    };
    setBoth(start + minute);
    for (let i = 0; i < 5; i++) await both();
    // Also race the dispatcher itself, without the plan lease: row locks alone must hold.
    for (const id of planIds) await Promise.all([a.engine.dispatch(id), b.engine.dispatch(id)]);
    const round = () => {
      const pushes = [...a.notifier.notified.splice(0), ...b.notifier.notified.splice(0)];
      const seen = new Map<number, number>();
      for (const n of pushes) seen.set(n.deviceId, (seen.get(n.deviceId) ?? 0) + 1);
      return { pushes: pushes.length, once: [...seen.values()].every((n) => n === 1), devices: seen.size };
    };
    assert.deepEqual(round(), { pushes: 450, once: true, devices: 450 });
    assert.ok(a.errors.length === 0 && b.errors.length === 0, String(a.errors[0] ?? b.errors[0]));
    for (const id of planIds) {
      const starts = (await a.plans.listTransitions(id)).filter((r) => r.action === 'start');
      assert.equal(starts.length, 1, `plan ${id} started once`);
    }
    // The re-push round: nobody reacted, so every device is pushed again, once.
    setBoth(start + minute + 600_000);
    for (let i = 0; i < 5; i++) await both();
    for (const id of planIds) await Promise.all([a.engine.runTimers(id, true), b.engine.runTimers(id, true)]);
    assert.deepEqual(round(), { pushes: 450, once: true, devices: 450 });
    const pushCounts = await t.database.db
      .selectFrom('device_upgrades')
      .select('push_count')
      .where('plan_id', 'in', planIds)
      .execute();
    assert.ok(pushCounts.every((r) => r.push_count === 2));
  });
});

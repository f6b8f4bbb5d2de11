// Offline devices do not hold the plan's concurrency places (issue 19): a device pushed while
// offline gives its place back after one push period instead of being pushed again, the next
// waiting device gets it, and a device seen recently (an HTTP poller) or connected keeps its own.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createDeviceFleet, type DeviceFleet } from '../../test-support/device-fleet.ts';
import { skipReason } from '../../test-support/test-database.ts';

const skip = (await skipReason()) ?? false;
const period = 600_000;

describe('concurrency places of offline devices', { skip }, () => {
  let f: DeviceFleet;
  before(async () => {
    f = await createDeviceFleet({ count: 4, plan: { concurrency: 2, pushPeriodSeconds: period / 1000 } });
  });
  after(() => f?.close());

  async function upgrades(): Promise<
    Map<string, { status: string; waitingReason: string | null; id: number }>
  > {
    const items = (await f.t.admin.get(`/api/v1/plans/${f.planId}/upgrades?limit=50`)).json().items;
    return new Map(items.map((u: { deviceName: string }) => [u.deviceName, u]));
  }
  const tick = () => f.t.app.services.plans.tickPlan(f.planId, 'test', 60_000);
  /** An HTTP poller: not connected, seen just now. */
  const seen = (name: string) =>
    f.t.app.database.db
      .updateTable('devices')
      .set({ last_seen_at: f.t.clock.now() })
      .where('name', '=', name)
      .execute();

  it('gives an offline device’s place to the next waiting device after one push period', async () => {
    let now = await upgrades();
    assert.equal(now.get('m-0')?.status, 'pushed');
    assert.equal(now.get('m-1')?.status, 'pushed');
    assert.equal(now.get('m-2')?.waitingReason, 'offline');
    await seen('m-0');
    f.t.clock.advance(period - 1);
    await tick();
    assert.equal((await upgrades()).get('m-1')?.status, 'pushed', 'held for a whole push period');
    f.t.clock.advance(1);
    await tick();
    now = await upgrades();
    assert.equal(now.get('m-0')?.status, 'pushed', 'seen 10 minutes ago: it keeps its place');
    assert.equal(now.get('m-1')?.status, 'pending', 'offline: its place is given back');
    assert.equal(now.get('m-1')?.waitingReason, 'offline');
    assert.equal(now.get('m-2')?.status, 'pushed', 'the next waiting device got the place');
    assert.equal(now.get('m-3')?.status, 'pending');
    const entries: { event: string; message: string }[] = (
      await f.t.admin.get(`/api/v1/device-upgrades/${now.get('m-1')!.id}`)
    ).json().log;
    assert.ok(entries.some((e) => e.event === 'slot_released' && /offline/.test(e.message)));
  });

  it('goes on round the queue: the released device waits behind those that waited longer', async () => {
    await seen('m-0');
    f.t.clock.advance(period);
    await tick();
    const now = await upgrades();
    assert.equal(now.get('m-2')?.status, 'pending');
    assert.equal(now.get('m-3')?.status, 'pushed', 'waiting since enrolment, ahead of m-1');
    assert.equal(now.get('m-1')?.status, 'pending');
    const busy = [...now.values()].filter((u) => u.status === 'pushed').length;
    assert.equal(busy, 2, 'the cap holds');
  });

  it('offers the upgrade to a released device that comes back, once a place is free', async () => {
    const access = f.t.app.services.deviceAccess;
    const m1 = (await access.deviceById(f.devices[1]!.id))!;
    assert.deepEqual(await access.check(m1, { module: 'default', version: '1.0' }), {
      kind: 'none',
      reason: 'concurrency_full',
    });
    const m3 = (await upgrades()).get('m-3')!;
    assert.equal((await f.t.admin.post(`/api/v1/device-upgrades/${m3.id}/cancel`, {})).statusCode, 200);
    assert.equal((await access.check(m1, { module: 'default', version: '1.0' })).kind, 'offer');
    assert.equal((await upgrades()).get('m-1')?.status, 'pushed');
  });
});

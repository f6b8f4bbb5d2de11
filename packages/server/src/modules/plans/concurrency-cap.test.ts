// The concurrency cap holds on every path that takes a pending upgrade to pushed or upgrading,
// with two instances on one database: one instance's dispatcher and checks race the other's
// version informs, checks and progress reports from devices that went ahead by themselves.
// Nothing here ends an upgrade, so the busy count only grows: its final value is its peak.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openDatabase } from '../../adapters/db/database.ts';
import { type App, buildApp } from '../../app.ts';
import { loadConfig } from '../../config/config.ts';
import { createDeviceFleet, type DeviceFleet } from '../../test-support/device-fleet.ts';
import { adminPassword } from '../../test-support/test-app.ts';
import { skipReason } from '../../test-support/test-database.ts';

const skip = (await skipReason()) ?? false;
const cap = 8;

describe('concurrency cap across instances', { skip }, () => {
  let f: DeviceFleet;
  let other: App;
  before(async () => {
    f = await createDeviceFleet({ count: 48, plan: { mode: 'manual', concurrency: cap } });
    const url = f.t.testDatabase.url;
    // Instances of one deployment share the server secret: the second reads the first's file.
    const dataDir = f.t.dataDir;
    other = await buildApp(loadConfig({}, { dataDir, logLevel: 'silent', adminPassword }), {
      database: url.startsWith('sqlite:')
        ? openDatabase({ kind: 'sqlite', path: url.slice('sqlite:'.length) })
        : openDatabase({ kind: 'postgres', url }),
      scheduler: false,
      deltaRunner: false,
    });
  });
  after(async () => {
    await other?.close();
    await other?.database.close();
    await f?.close();
  });

  it('never lets informs, checks, progress and the dispatcher push more devices than the cap', async () => {
    const a = f.t.app.services;
    const b = other.services;
    // Every upgrade confirmed at once: all due, all free to be taken by whichever path is first.
    await a.upgrades.decideAwaiting(f.planId, 'confirmed', 'test');
    const devices = await Promise.all(f.devices.map((d) => a.deviceAccess.deviceById(d.id)));
    const paths = devices.map((device, i) => {
      const access = i % 2 === 0 ? a.deviceAccess : b.deviceAccess;
      switch (i % 3) {
        case 0:
          return () => access.check(device!, { module: 'default', version: '1.0' });
        case 1:
          return () => access.informVersion(device!, 'default', '1.0');
        default:
          return () => access.report(device!, 'default', { type: 'progress', percent: 10 });
      }
    });
    await Promise.all([
      ...paths.map((run) => run()),
      a.plans.tickPlan(f.planId, 'instance a', 60_000),
      b.plans.tickPlan(f.planId, 'instance b', 60_000),
      ...paths.map((run) => run()),
    ]);
    const counts = await a.plans.report(f.planId, 3_600_000).then((r) => r.counts);
    const busy = counts.pushed + counts.upgrading;
    assert.ok(busy <= cap, `${busy} devices pushed or upgrading over a cap of ${cap}`);
    assert.equal(busy, cap, 'the free places were all taken');
  });
});

// Anti-downgrade on the server (issue 20): a plan whose target is older than a version its
// targeted devices report is refused when published or scheduled, naming the newer versions and
// how many run each, unless it is marked a downgrade; devices that do not run a newer version
// (older, equal, none reported, or outside the target) do not count.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isUpdraftError, type UpdraftError } from '@updraft/core';
import { seedFleet, seedPackage, wirePlans } from '../../test-support/plan-fleet.ts';
import { createTestDatabase, skipReason, type TestDatabase } from '../../test-support/test-database.ts';

const skip = (await skipReason()) ?? false;

describe('plans that would downgrade devices', { skip }, () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase();
  });
  after(() => t.dispose());

  it('refuses to publish or schedule one unless it is marked a downgrade', async () => {
    // Devices 0..5 run 1.9, 2.0, 2.10, 2.0, none reported, 1.0.
    const versions = ['1.9', '2.0', '2.10', '2.0', null, '1.0'];
    const fleet = await seedFleet(t.database, versions.length, { versionOf: (i) => versions[i] ?? null });
    const older = await seedPackage(t.database, fleet.productId, '1.10');
    const { plans, clock } = wirePlans(t.database);
    const input = (name: string, extra: Record<string, unknown> = {}) => ({
      name,
      productId: fleet.productId,
      firmwarePackageId: older,
      target: { kind: 'all' as const },
      ...extra,
    });

    const plain = await plans.createPlan(input('back to 1.10'), 'u');
    assert.equal(plain.spec.downgrade, undefined);
    const refused = await plans.publish(plain.id, 'u').catch((e: unknown) => e);
    assert.ok(isUpdraftError(refused) && refused.code === 'PLAN_DOWNGRADE', String(refused));
    // Newest first; 1.9 and 1.0 are older than 1.10 by version order, not by text.
    assert.deepEqual((refused as UpdraftError).details, {
      targetVersion: '1.10',
      newer: [
        { version: '2.10', devices: 1 },
        { version: '2.0', devices: 2 },
      ],
    });
    assert.match(
      (refused as UpdraftError).message,
      /^3 targeted devices run a version of module default newer/,
    );
    assert.equal((await plans.getPlan(plain.id)).status, 'draft', 'nothing changed');

    // A scheduled start is refused at once, as the publish.
    const scheduled = await plans.createPlan(
      input('later', { start: { mode: 'at', at: clock.now() + 3600_000 } }),
      'u',
    );
    await assert.rejects(
      plans.publish(scheduled.id, 'u'),
      (e) => isUpdraftError(e) && e.code === 'PLAN_DOWNGRADE',
    );

    // The devices newer than the target left out: nothing to refuse.
    const narrow = await plans.createPlan(
      input('only the old ones', {
        target: {
          kind: 'devices',
          deviceIds: [fleet.deviceIds[0]!, fleet.deviceIds[4]!, fleet.deviceIds[5]!],
        },
      }),
      'u',
    );
    assert.equal((await plans.publish(narrow.id, 'u')).status, 'running');

    // Marked a downgrade: published, and the mark is kept.
    const meant = await plans.createPlan(input('meant', { downgrade: true }), 'u');
    assert.equal(meant.spec.downgrade, true);
    assert.equal((await plans.publish(meant.id, 'u', true)).status, 'running');
  });

  it('refuses a downgrade mark that is not true or false', async () => {
    const fleet = await seedFleet(t.database, 1, { key: 'pk-mark' });
    const pkg = await seedPackage(t.database, fleet.productId, '3.0');
    const { plans } = wirePlans(t.database);
    await assert.rejects(
      plans.createPlan(
        {
          name: 'x',
          productId: fleet.productId,
          firmwarePackageId: pkg,
          target: { kind: 'all' },
          downgrade: 'yes',
        },
        'u',
      ),
      (e) =>
        isUpdraftError(e) &&
        e.code === 'VALIDATION_FAILED' &&
        JSON.stringify(e.details).includes('downgrade'),
    );
  });
});

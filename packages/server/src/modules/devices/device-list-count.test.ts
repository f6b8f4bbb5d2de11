// The device list's total (GET /devices/count): exact from the kept count without filters,
// exact up to the counting limit with filters, and past it the limit with exact false.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createKyselyDeviceStore } from '../../adapters/db/kysely-device-store.ts';
import { createManualClock } from '../../test-support/manual-clock.ts';
import { seedFleet } from '../../test-support/plan-fleet.ts';
import { createTestDatabase, skipReason, type TestDatabase } from '../../test-support/test-database.ts';
import { createDeviceService } from './device-service.ts';

const skip = (await skipReason()) ?? false;

describe('device list totals', { skip }, () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase();
  });
  after(() => t.dispose());

  it('counts exactly up to the limit, then says at least the limit', async () => {
    const store = createKyselyDeviceStore(t.database.db, t.database.dialect);
    const devices = createDeviceService({
      store,
      products: { getProduct: async (id) => ({ id, nodeType: 'direct' }), listModules: async () => [] },
      clock: createManualClock(),
      serverSecret: Buffer.alloc(32),
      limits: { importMaxBytes: 1 << 20, listCountLimit: 10 },
    });
    const a = await seedFleet(t.database, 25, { versionOf: (i) => (i < 10 ? '1.0' : '2.0') });
    const b = await seedFleet(t.database, 4);
    assert.deepEqual(await devices.countDeviceList({ productId: a.productId }), { count: 25, exact: true });
    assert.deepEqual(await devices.countDeviceList({ productId: b.productId, q: '' }), {
      count: 4,
      exact: true,
    });
    assert.deepEqual(await devices.countDeviceList({}), { count: 29, exact: true });
    const at = (filter: object) => devices.countDeviceList({ productId: a.productId, ...filter });
    assert.deepEqual(await at({ version: '1.0' }), { count: 10, exact: true }, 'the limit itself is exact');
    assert.deepEqual(await at({ version: '2.0' }), { count: 10, exact: false });
    assert.deepEqual(await at({ q: 'd1' }), { count: 10, exact: false }, 'd1 and d10..d19: 11');
    assert.deepEqual(await at({ q: 'd2' }), { count: 6, exact: true }, 'd2 and d20..d24');
    assert.deepEqual(await devices.countDeviceList({ online: true }), { count: 10, exact: false });
    assert.equal(
      await devices.countDevices({ productId: a.productId, version: '2.0' }),
      15,
      'services count all',
    );
  });
});

// docs/examples/onenet-upgrade.sh (curl and openssl only) runs a whole OneNET-style upgrade
// against a listening server, and the plan shows the device as Success.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { createDeviceFleet, type DeviceFleet } from '../../test-support/device-fleet.ts';
import { skipReason } from '../../test-support/test-database.ts';

const script = join(import.meta.dirname, '../../../../../docs/examples/onenet-upgrade.sh');

const skip = (await skipReason()) ?? false;

describe('docs/examples/onenet-upgrade.sh', { skip }, () => {
  let f: DeviceFleet;
  before(async () => {
    f = await createDeviceFleet({ count: 1, firmwareBytes: 200_000 });
  });
  after(() => f.close());

  it('upgrades a device with curl and openssl only', async () => {
    const d = f.devices[0]!;
    const { stdout } = await promisify(execFile)('sh', [script], {
      env: {
        PATH: process.env['PATH'],
        UPDRAFT_URL: f.base,
        PRODUCT_KEY: f.productKey,
        DEVICE_NAME: d.name,
        DEVICE_ID: String(d.id),
        DEVICE_SECRET: d.secret,
        CURRENT_VERSION: '1.0',
        OUT: join(f.t.dataDir, 'firmware.bin'),
      },
    });
    assert.match(stdout, /upgraded to 2\.0/);
    const page = await f.t.app.services.plans.listUpgrades(f.planId, { deviceId: d.id }, { limit: 1 });
    assert.equal(page.items[0]!.state.status, 'success');
  });
});

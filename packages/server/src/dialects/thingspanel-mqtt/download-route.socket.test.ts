// ThingsPanel's download (protocols.md §1.9): the URL a push carries, answered with X-CRC16 over
// the returned bytes, IBM (CRC-16/USB) when the device names no method, the named one otherwise;
// ranges as RFC 7233 (206); a file over 4 MiB gets its CRC too. A token that no longer downloads
// is 410, one never issued 404.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { crc16 } from '@updraft/protocol';
import { createDeviceFleet, type DeviceFleet, type TestDevice } from '../../test-support/device-fleet.ts';
import { skipReason } from '../../test-support/test-database.ts';
import { thingsPanelDownloadPath } from './download-route.ts';
import { pushMessageOf } from './push-message.ts';

const skip = (await skipReason()) ?? false;

describe('ThingsPanel download', { skip }, () => {
  let f: DeviceFleet;
  before(async () => {
    // No firmware cache: the CRC of a file over 4 MiB is read from the blob store.
    f = await createDeviceFleet({
      count: 2,
      firmwareBytes: 4 * 1024 * 1024 + 4099,
      settings: { firmwareCacheBytes: 0 },
    });
  });
  after(() => f.close());

  /** An offer through the device service, as the push queue gets it. */
  async function offerOf(d: TestDevice) {
    const device = (await f.t.app.services.deviceAccess.deviceById(d.id))!;
    const result = await f.t.app.services.deviceAccess.check(device, { module: 'default', version: '1.0' });
    assert.equal(result.kind, 'offer');
    return result.kind === 'offer' ? result.offer : undefined!;
  }

  it('is where a push points, and answers X-CRC16 (IBM by default) over what it returns', async () => {
    const d = f.devices[0]!;
    const offer = await offerOf(d);
    const push = pushMessageOf(offer, 'default', 'md5', f.base);
    const url = push.params.url;
    assert.equal(url, `${f.base}${thingsPanelDownloadPath}/${offer.token}`);
    assert.equal(push.params.files[0]!.url, url);

    const whole = await fetch(url);
    assert.equal(whole.status, 200);
    const body = Buffer.from(await whole.arrayBuffer());
    assert.deepEqual(body, f.firmware);
    assert.equal(whole.headers.get('x-crc16'), crc16('ibm', f.firmware), 'over 4 MiB too');

    const part = await fetch(url, { headers: { range: 'bytes=100-1099' } });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get('content-range'), `bytes 100-1099/${f.firmware.length}`);
    const chunk = Buffer.from(await part.arrayBuffer());
    assert.deepEqual(chunk, f.firmware.subarray(100, 1100));
    assert.equal(part.headers.get('x-crc16'), crc16('ibm', chunk));

    const ccitt = await fetch(url, { headers: { range: 'bytes=0-9', 'crc16-method': 'CCITT' } });
    assert.equal(ccitt.headers.get('x-crc16'), crc16('ccitt', f.firmware.subarray(0, 10)));
    const mbus = await fetch(url, { headers: { range: 'bytes=-10', 'crc16-method': 'MODBUS' } });
    assert.equal(mbus.headers.get('x-crc16'), crc16('mbus', f.firmware.subarray(-10)));

    // Asked again (the server keeps CRCs by file, variant and range): the same answers.
    const again = await fetch(url, { headers: { range: 'bytes=0-9' } });
    assert.deepEqual(Buffer.from(await again.arrayBuffer()), f.firmware.subarray(0, 10));
    assert.equal(again.headers.get('x-crc16'), crc16('ibm', f.firmware.subarray(0, 10)));
    const wholeAgain = await fetch(url);
    assert.equal(Buffer.from(await wholeAgain.arrayBuffer()).length, f.firmware.length);
    assert.equal(wholeAgain.headers.get('x-crc16'), crc16('ibm', f.firmware));
  });

  it('answers 404 for a token never issued and 410 for one that no longer downloads', async () => {
    const d = f.devices[1]!;
    const missing = await fetch(`${f.base}${thingsPanelDownloadPath}/ota_neverissuedneverissued`);
    assert.equal(missing.status, 404);
    const offer = await offerOf(d);
    const upgrade = (await f.t.app.services.plans.listUpgrades(f.planId, { deviceId: d.id }, { limit: 1 }))
      .items[0]!;
    await f.t.app.services.plans.actOnUpgrade(upgrade.id, 'operator_cancel', 'test');
    const gone = await fetch(`${f.base}${thingsPanelDownloadPath}/${offer.token}`);
    assert.equal(gone.status, 410);
    assert.equal(((await gone.json()) as { code: string }).code, 'DOWNLOAD_TOKEN_INVALID');
  });

  it('leaves the neutral download without X-CRC16 unless the device asks', async () => {
    const offer = await offerOf(f.devices[0]!);
    const neutral = await fetch(`${f.base}/device/v1/download/${offer.token}`, {
      headers: { range: 'bytes=0-9' },
    });
    assert.equal(neutral.headers.get('x-crc16'), null);
  });
});

// A firmware package's name (unique per product and module, at most 100 characters) and remark
// (at most 200) beside its version, as Quectel's console has them: defaults, refusals, changes.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { firmwareForm } from '../../../test-support/device-fleet.ts';
import { createTestApp, type TestApp } from '../../../test-support/test-app.ts';
import { skipReason } from '../../../test-support/test-database.ts';

const skip = (await skipReason()) ?? false;

describe('firmware package names and remarks', { skip }, () => {
  let t: TestApp;
  let productId: number;
  before(async () => {
    t = await createTestApp();
    productId = (await t.admin.post('/api/v1/products', { name: 'Named' })).json().id;
    await t.admin.post(`/api/v1/products/${productId}/modules`, { name: 'MCU', kind: 'mcu' });
  });
  after(() => t.close());

  const upload = (version: string, fields: Record<string, string> = {}) =>
    t.admin.request({
      method: 'POST',
      url: `/api/v1/products/${productId}/firmware`,
      ...firmwareForm(version, [{ name: 'app.bin', content: Buffer.from(`image ${version}`) }], fields),
    });

  it('names a package after its version (a delta after both) unless it is given a name', async () => {
    const full = await upload('1.0');
    assert.equal(full.statusCode, 201, full.body);
    assert.deepEqual([full.json().name, full.json().remark], ['1.0', '']);
    const delta = await upload('1.1', { type: 'delta', sourceVersion: '1.0' });
    assert.equal(delta.json().name, '1.1 from 1.0');
    const named = await upload('2.0', { name: '  春季版本 spring  ', remark: 'for the pilot fleet' });
    assert.equal(named.statusCode, 201, named.body);
    assert.deepEqual([named.json().name, named.json().remark], ['春季版本 spring', 'for the pilot fleet']);
    const read = await t.admin.get(`/api/v1/firmware/${named.json().id}`);
    assert.equal(read.json().name, '春季版本 spring');
  });

  it('refuses a name taken in the module with FIRMWARE_NAME_EXISTS; another module may use it', async () => {
    const taken = await upload('2.1', { name: '春季版本 spring' });
    assert.equal(taken.statusCode, 409);
    assert.equal(taken.json().code, 'FIRMWARE_NAME_EXISTS');
    // A version that is another package's name is taken too.
    assert.equal((await upload('2.2', { name: '1.0' })).json().code, 'FIRMWARE_NAME_EXISTS');
    const mcu = await upload('2.1', { name: '春季版本 spring', module: 'MCU' });
    assert.equal(mcu.statusCode, 201, mcu.body);
  });

  it('refuses a name over 100 characters, a blank one and a remark over 200', async () => {
    const refused = async (fields: Record<string, string>, field: string) => {
      const res = await upload('3.0', fields);
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.json().code, 'VALIDATION_FAILED');
      assert.equal(res.json().details.field, field);
    };
    await refused({ name: 'n'.repeat(101) }, 'name');
    await refused({ name: '   ' }, 'name');
    await refused({ name: 'tab\there' }, 'name');
    await refused({ remark: 'r'.repeat(201) }, 'remark');
    const longest = await upload('3.0', { name: '名'.repeat(100), remark: 'r'.repeat(200) });
    assert.equal(longest.statusCode, 201, longest.body);
  });

  it('changes a name and a remark, and refuses a name another package has', async () => {
    const pkg = (await upload('4.0')).json();
    const renamed = await t.admin.patch(`/api/v1/firmware/${pkg.id}`, { name: 'four', remark: 'checked' });
    assert.equal(renamed.statusCode, 200, renamed.body);
    assert.deepEqual(
      [renamed.json().name, renamed.json().remark, renamed.json().version],
      ['four', 'checked', '4.0'],
    );
    const clash = await t.admin.patch(`/api/v1/firmware/${pkg.id}`, { name: '1.0' });
    assert.equal(clash.statusCode, 409);
    assert.equal(clash.json().code, 'FIRMWARE_NAME_EXISTS');
    assert.equal((await t.admin.get(`/api/v1/firmware/${pkg.id}`)).json().name, 'four', 'nothing changed');
    assert.equal((await t.admin.patch(`/api/v1/firmware/${pkg.id}`, { name: 'four' })).statusCode, 200);
    assert.equal(
      (await t.admin.patch(`/api/v1/firmware/${pkg.id}`, { remark: 'x'.repeat(201) })).statusCode,
      400,
    );
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { quectelKeyOf, splitsOf } from './client-id.ts';

describe('Quectel client ids', () => {
  it('claims a qd… client id with no, an empty or the same username; nothing else', () => {
    const clientId = 'qdpk_abcdefghijklmeter-1';
    for (const username of [undefined, '', clientId])
      assert.equal(quectelKeyOf({ clientId, username, password: 'x' }), clientId);
    assert.equal(quectelKeyOf({ clientId, username: 'pk_x.meter-1', password: 'x' }), null);
    for (const other of ['pk_x.meter-1', 'qdabc', 'qd/pk_x/meter', 'xdpk_abcdefghijklmeter-1'])
      assert.equal(quectelKeyOf({ clientId: other, username: undefined, password: 'x' }), null, other);
  });

  it("tries Updraft's generated key length first, then every other", () => {
    const splits = splitsOf('qdpk_abcdefghijklmeter-1');
    assert.deepEqual(splits[0], { productKey: 'pk_abcdefghijkl', deviceKey: 'meter-1' });
    assert.ok(splits.some((s) => s.productKey === 'pk_a' && s.deviceKey === 'bcdefghijklmeter-1'));
    // A product key never holds a device name's characters (`.`, `:`, `@`).
    assert.ok(splitsOf('qdp6AB.x1').every((s) => !s.productKey.includes('.')));
    assert.deepEqual(
      splitsOf('qdp6ABx.1').map((s) => s.productKey),
      ['p6AB', 'p6ABx'],
    );
  });
});

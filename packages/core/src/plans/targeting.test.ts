import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { matchesTarget, type TargetDevice, type TargetingSpec, targetExclusion } from './targeting.ts';

const device: TargetDevice = { id: 'd1', productId: 'p1', groupIds: ['g1'], currentVersion: '1.0' };
const full = { kind: 'full', packageId: 'f1', targetVersion: '2.0' } as const;
const base: TargetingSpec = {
  productId: 'p1',
  firmware: full,
  target: { kind: 'all' },
  whitelist: [],
  blacklist: [],
};

describe('plan targeting', () => {
  it('reaches every device of the product with target all', () => {
    assert.equal(matchesTarget(device, base), true);
    assert.equal(targetExclusion({ ...device, productId: 'p2' }, base), 'other_product');
  });

  it('reaches listed devices only with a device list', () => {
    assert.equal(matchesTarget(device, { ...base, target: { kind: 'devices', deviceIds: ['d1'] } }), true);
    assert.equal(
      targetExclusion(device, { ...base, target: { kind: 'devices', deviceIds: ['d2'] } }),
      'not_targeted',
    );
  });

  it('reaches members of any listed group', () => {
    assert.equal(
      matchesTarget(device, { ...base, target: { kind: 'groups', groupIds: ['g0', 'g1'] } }),
      true,
    );
    assert.equal(matchesTarget(device, { ...base, target: { kind: 'groups', groupIds: ['g2'] } }), false);
  });

  it('reaches devices on a listed current version, and never a device without one', () => {
    const spec: TargetingSpec = { ...base, target: { kind: 'versions', versions: ['1.0'] } };
    assert.equal(matchesTarget(device, spec), true);
    assert.equal(matchesTarget({ ...device, currentVersion: '1.1' }, spec), false);
    assert.equal(matchesTarget({ ...device, currentVersion: null }, spec), false);
  });

  it('keeps to the whitelist when it is not empty', () => {
    assert.equal(targetExclusion(device, { ...base, whitelist: ['d2'] }), 'not_whitelisted');
    assert.equal(matchesTarget(device, { ...base, whitelist: ['d1'] }), true);
  });

  it('lets the blacklist win over the whitelist and the target', () => {
    const spec: TargetingSpec = {
      ...base,
      target: { kind: 'devices', deviceIds: ['d1'] },
      whitelist: ['d1'],
      blacklist: ['d1'],
    };
    assert.equal(targetExclusion(device, spec), 'blacklisted');
  });

  it('reaches only devices on the source version with a delta package', () => {
    const spec: TargetingSpec = { ...base, firmware: { ...full, kind: 'delta', sourceVersion: '1.0' } };
    assert.equal(matchesTarget(device, spec), true);
    assert.equal(targetExclusion({ ...device, currentVersion: '0.9' }, spec), 'not_on_source_version');
    assert.equal(targetExclusion({ ...device, currentVersion: null }, spec), 'not_on_source_version');
  });

  it('never reaches a blacklisted device, whatever else is set', () => {
    const ids = fc.constantFrom('d1', 'd2', 'd3');
    fc.assert(
      fc.property(fc.array(ids), fc.array(ids), (whitelist, blacklist) => {
        const spec = { ...base, whitelist, blacklist: [...blacklist, 'd1'] };
        assert.equal(matchesTarget(device, spec), false);
      }),
    );
  });
});

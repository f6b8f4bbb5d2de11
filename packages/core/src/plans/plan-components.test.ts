import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { acceptsVersion, planComponents } from './plan-components.ts';
import { type TargetDevice, targetExclusion } from './targeting.ts';
import { upgradePolicyFromPlanSpec } from './upgrade-policy.ts';
import { validatePlanSpec } from './validate-plan-spec.ts';

const base = { name: 'two', productId: 'p1', target: { kind: 'all' } };
const moduleFirmware = {
  moduleId: 'default',
  firmware: { kind: 'full', packageId: 'f1', targetVersion: '2.0' },
};
const mcuFirmware = { moduleId: 'mcu', firmware: { kind: 'full', packageId: 'f2', targetVersion: '3.0' } };

function issues(input: unknown) {
  const result = validatePlanSpec(input);
  assert.equal(result.ok, false);
  return result.ok ? [] : result.issues.map((i) => `${i.path} ${i.code}`);
}

describe('plan components', () => {
  it('stores the first component at the top and the others in order after it', () => {
    const result = validatePlanSpec({ ...base, components: [moduleFirmware, mcuFirmware] });
    assert.ok(result.ok);
    assert.equal(result.spec.moduleId, 'default');
    assert.deepEqual(result.spec.firmware, moduleFirmware.firmware);
    assert.equal(result.spec.specifiedVersions, undefined);
    assert.deepEqual(result.spec.laterComponents, [{ ...mcuFirmware, specifiedVersions: [] }]);
    assert.deepEqual(
      planComponents(result.spec).map((c) => c.moduleId),
      ['default', 'mcu'],
    );
  });

  it('reads a list of one component as the plan of one it is', () => {
    const listed = validatePlanSpec({ ...base, components: [moduleFirmware] });
    const flat = validatePlanSpec({ ...base, ...moduleFirmware });
    assert.ok(listed.ok && flat.ok);
    assert.deepEqual(listed.spec, flat.spec);
  });

  it('takes specified versions for full packages only, at most 8, never the target', () => {
    const specified = validatePlanSpec({
      ...base,
      ...moduleFirmware,
      specifiedVersions: ['1.0', '1.1', '1.0'],
    });
    assert.ok(specified.ok);
    assert.deepEqual(specified.spec.specifiedVersions, ['1.0', '1.1']);
    const delta = { kind: 'delta', packageId: 'f3', targetVersion: '2.0', sourceVersion: '1.0' };
    assert.deepEqual(issues({ ...base, moduleId: 'm', firmware: delta, specifiedVersions: ['1.0'] }), [
      'specifiedVersions full_package_only',
    ]);
    const nine = Array.from({ length: 9 }, (_, i) => `1.${i}`);
    assert.deepEqual(issues({ ...base, ...moduleFirmware, specifiedVersions: nine }), [
      'specifiedVersions too_many',
    ]);
    assert.deepEqual(issues({ ...base, ...moduleFirmware, specifiedVersions: ['2.0'] }), [
      'specifiedVersions equals_target',
    ]);
  });

  it('refuses a module twice, more than 20 components, an empty list, and both forms at once', () => {
    assert.deepEqual(issues({ ...base, components: [moduleFirmware, moduleFirmware] }), [
      'components.1.moduleId duplicate_module',
    ]);
    const many = Array.from({ length: 21 }, (_, i) => ({ ...mcuFirmware, moduleId: `m${i}` }));
    assert.deepEqual(issues({ ...base, components: many }), ['components too_many']);
    assert.deepEqual(issues({ ...base, components: [] }), ['components too_short']);
    assert.deepEqual(issues({ ...base, components: [moduleFirmware], moduleId: 'x' }), [
      'moduleId exclusive',
    ]);
    assert.deepEqual(issues({ ...base, components: [{ ...mcuFirmware, extra: 1 }] }), [
      'components.0.extra unknown_field',
    ]);
  });

  it('gives the machine every component, and a plan of one the policy it always had', () => {
    const two = validatePlanSpec({
      ...base,
      components: [moduleFirmware, { ...mcuFirmware, specifiedVersions: ['2.9'] }],
    });
    assert.ok(two.ok);
    const policy = upgradePolicyFromPlanSpec(two.spec);
    assert.equal(policy.module, 'default');
    assert.deepEqual(policy.laterComponents, [
      { module: 'mcu', targetVersion: '3.0', sourceVersion: null, specifiedVersions: ['2.9'] },
    ]);
    const one = validatePlanSpec({ ...base, ...moduleFirmware });
    assert.ok(one.ok);
    assert.equal('laterComponents' in upgradePolicyFromPlanSpec(one.spec), false);
  });

  it('accepts any version for a full package without specified versions', () => {
    const [component] = planComponents({ moduleId: 'm', firmware: moduleFirmware.firmware as never });
    assert.equal(acceptsVersion(component!, null), true);
    assert.equal(acceptsVersion({ ...component!, specifiedVersions: ['1.0'] }, null), false);
  });

  it('targets by every component: on its accepted versions, or on its target (skipped)', () => {
    const result = validatePlanSpec({
      ...base,
      components: [
        { ...moduleFirmware, specifiedVersions: ['1.0'] },
        {
          moduleId: 'mcu',
          firmware: { kind: 'delta', packageId: 'f4', targetVersion: '3.0', sourceVersion: '2.5' },
        },
      ],
    });
    assert.ok(result.ok);
    const device: TargetDevice = {
      id: 'd1',
      productId: 'p1',
      groupIds: [],
      currentVersion: '1.0',
      versions: { mcu: '2.5' },
    };
    const spec = result.spec;
    assert.equal(targetExclusion(device, spec), null);
    assert.equal(targetExclusion({ ...device, versions: { mcu: '3.0' } }, spec), null, 'skips the MCU');
    assert.equal(targetExclusion({ ...device, versions: { mcu: '2.4' } }, spec), 'not_on_source_version');
    assert.equal(targetExclusion({ ...device, versions: {} }, spec), 'not_on_source_version');
    assert.equal(targetExclusion({ ...device, currentVersion: '2.0' }, spec), null, 'skips the module');
    assert.equal(targetExclusion({ ...device, currentVersion: '1.5' }, spec), 'not_on_specified_version');
    assert.equal(targetExclusion({ ...device, currentVersion: null }, spec), 'not_on_specified_version');
  });
});

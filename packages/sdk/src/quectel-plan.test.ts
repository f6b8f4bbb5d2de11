import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OtaComponent } from '@updraft/protocol';
import { componentToTake } from './quectel-plan.ts';

const component = (componentNo: string, targetVersion: string): OtaComponent => ({
  componentNo,
  componentType: componentNo === 'mcu' ? 1 : 0,
  targetVersion,
});

describe('the component of a Quectel plan the device takes', () => {
  const plan = [component('default', '2.0'), component('mcu', '3.0')];
  it('takes the first component whose target the device does not run, in the plan order', () => {
    const versions: Record<string, string> = { default: '1.0', mcu: '2.5' };
    assert.equal(componentToTake(plan, (m) => versions[m])?.componentNo, 'default');
  });
  it('skips a component the device already runs at its target', () => {
    const versions: Record<string, string> = { default: '2.0', mcu: '2.5' };
    assert.equal(componentToTake(plan, (m) => versions[m])?.componentNo, 'mcu');
  });
  it('takes a component whose version the device never stated', () => {
    assert.equal(componentToTake(plan, () => undefined)?.componentNo, 'default');
  });
  it('takes none of a plan whose targets the device all runs, and a plan of one as it is', () => {
    const versions: Record<string, string> = { default: '2.0', mcu: '3.0' };
    assert.equal(
      componentToTake(plan, (m) => versions[m]),
      undefined,
    );
    assert.equal(componentToTake([plan[0]!], (m) => versions[m])?.componentNo, 'default');
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseObjectLinks } from '@updraft/protocol';
import { deferralOf, hasDeferral, severities } from './firmware-deferral.ts';

describe('Severity and Maximum Defer Period of a plan (/5/0/11, /5/0/13)', () => {
  it('a silent plan: mandatory, deferrable for its rejection period', () => {
    assert.deepEqual(deferralOf({ mode: 'silent', rejectionPeriodSeconds: 7200 }), {
      severity: severities.mandatory,
      maxDeferSeconds: 7200,
    });
  });
  it('a manual plan (the owner confirmed it before the offer): mandatory, not deferrable', () => {
    assert.deepEqual(deferralOf({ mode: 'manual', rejectionPeriodSeconds: 7200 }), {
      severity: severities.mandatory,
      maxDeferSeconds: 0,
    });
  });
  it('a plan back to an older version on purpose (a rollback): critical', () => {
    assert.equal(deferralOf({ mode: 'silent', rejectionPeriodSeconds: 600, downgrade: true }).severity, 0);
  });
});

describe('which clients have them', () => {
  it('an Object 5 of version 1.1 or later, said on its object link or an instance link', () => {
    for (const links of ['</5>;ver=1.1,</5/0>', '</5/0>;ver=1.1', '</5>;ver=2.0,</5/0>'])
      assert.equal(hasDeferral({ objects: parseObjectLinks(links) }), true, links);
  });
  it('not one that gives no version (1.0, §6.2.1) or another object 1.1', () => {
    for (const links of ['</5/0>', '</5>;ver=1.0,</5/0>', '</3>;ver=1.1,</5/0>'])
      assert.equal(hasDeferral({ objects: parseObjectLinks(links) }), false, links);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  formatObjectLinks,
  lwm2mRegistrationSignature,
  objectVersion,
  parseObjectLinks,
  parseQueryOptions,
  parseRegistration,
} from './registration.ts';

const query = (...parts: string[]) => parseQueryOptions(parts);

describe('LwM2M Register parameters (§6.2.1)', () => {
  it('reads ep, lt, lwm2m, b and Updraft’s ts, sig and pf', () => {
    assert.deepEqual(
      parseRegistration(query('ep=pk.m-1', 'lt=300', 'lwm2m=1.1', 'b=U', 'ts=1700000000', 'sig=ab', 'pf')),
      {
        endpoint: 'pk.m-1',
        lifetime: 300,
        version: '1.1',
        binding: 'U',
        queueMode: false,
        timestamp: 1700000000,
        signature: 'ab',
        packageFacts: true,
      },
    );
  });
  it('takes the defaults: lifetime 86400, version 1.0, binding U', () => {
    const params = parseRegistration(query('ep=pk.m-1'));
    assert.ok(!('problem' in params));
    assert.equal(params.lifetime, 86400);
    assert.equal(params.version, '1.0');
    assert.equal(params.binding, 'U');
    assert.equal(params.packageFacts, false);
  });
  it('knows queue mode from b=UQ (1.0) and from the Q parameter (1.1)', () => {
    const uq = parseRegistration(query('ep=a.b', 'b=UQ'));
    const q = parseRegistration(query('ep=a.b', 'b=U', 'Q'));
    assert.ok(!('problem' in uq) && uq.queueMode);
    assert.ok(!('problem' in q) && q.queueMode);
  });
  it('refuses a missing ep, a lifetime that is no positive integer, an unknown binding and a bad ts', () => {
    assert.deepEqual(parseRegistration(query('lt=60')), {
      problem: 'bad_request',
      detail: 'the endpoint name (ep) is missing',
    });
    for (const bad of [
      ['ep=a.b', 'lt=0'],
      ['ep=a.b', 'lt=x'],
      ['ep=a.b', 'b=Z'],
      ['ep=a.b', 'ts=soon'],
    ]) {
      assert.ok('problem' in parseRegistration(query(...bad)), bad.join('&'));
    }
  });
});

describe('LwM2M object links (RFC 6690)', () => {
  it('lists object and instance links with their version, skipping the root link and other attributes', () => {
    assert.deepEqual(
      parseObjectLinks('</>;rt="oma.lwm2m";ct=11542,</1/0>,</3/0>;ver=1.1,</5>,<not/a/path>'),
      [
        { objectId: 1, instanceId: 0 },
        { objectId: 3, instanceId: 0, version: '1.1' },
        { objectId: 5, instanceId: undefined },
      ],
    );
  });
  it("knows an object's version from its object link or an instance's, 1.0 when none says (§6.2.1)", () => {
    assert.equal(objectVersion(parseObjectLinks('</5>;ver="1.1",</5/0>'), 5), '1.1');
    assert.equal(objectVersion(parseObjectLinks('</3/0>;ver=1.2,</5/0>;ver=1.1;x=1'), 5), '1.1');
    assert.equal(objectVersion(parseObjectLinks('</3>;ver=1.1,</5/0>'), 5), '1.0');
  });
  it('formats what it parses', () => {
    const links = [
      { objectId: 3, instanceId: 0 },
      { objectId: 5, instanceId: undefined, version: '1.1' },
      { objectId: 5, instanceId: 0 },
    ];
    assert.equal(formatObjectLinks(links), '</3/0>,</5>;ver=1.1,</5/0>');
    assert.deepEqual(parseObjectLinks(formatObjectLinks(links)), links);
  });
});

describe('Updraft’s registration signature', () => {
  it('is the hex HMAC-SHA256 of "{ep}\\n{ts}" with the device secret', () => {
    // openssl: printf 'pk.m-1\n1700000000' | openssl dgst -sha256 -hmac s3cret
    assert.equal(
      lwm2mRegistrationSignature('s3cret', 'pk.m-1', 1700000000),
      'f42e16f5bfb6b56a9e91cb901654d33cf77eeee3897af121bd807adeaee7fd5d',
    );
  });
});

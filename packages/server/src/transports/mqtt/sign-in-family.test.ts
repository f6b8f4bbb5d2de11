// A sign-in family stands for its members to a carrier: the first signs in, any member's topics
// are the session's, an uplink reaches the member whose topic it is, a greeting the member whose
// push topic was subscribed (all of them when the carrier cannot say), a refusal every member.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MqttDialect, MqttSession } from './mqtt-dialect.ts';
import { createSignInFamily } from './sign-in-family.ts';

/** A member that answers for the topics under `prefix` and records what it is asked to do. */
function member(prefix: string) {
  const calls: string[] = [];
  const dialect: MqttDialect = {
    name: prefix,
    keyOf: ({ username }) => username ?? null,
    async signIn({ username }) {
      calls.push(`signIn ${username}`);
      return { device: { id: 1, productId: 1, name: 'd', gatewayId: null }, key: username ?? '' };
    },
    async deviceOfKey() {
      return undefined;
    },
    mayPublish: (key, topic) => topic === `${prefix}/up/${key}`,
    maySubscribe: (key, topic) => topic === `${prefix}/push/${key}`,
    isPushTopic: (key, topic) => topic === `${prefix}/push/${key}`,
    uplinkOf: (topic) => (topic.startsWith(`${prefix}/up/`) ? { message: 'progress', key: null } : null),
    sharedUplinks: (group) => [`$share/${group}/${prefix}/up/+`],
    async handle(_session, uplink, payload) {
      calls.push(`handle ${uplink.message} ${payload.toString()}`);
    },
    async refuse(_session, reason) {
      calls.push(`refuse ${reason}`);
    },
    async connected(_session, pushTopic) {
      calls.push(`connected ${pushTopic ?? '-'}`);
    },
    attach(bus) {
      calls.push(`attach ${bus ? 'bus' : 'none'}`);
    },
  };
  return { dialect, calls };
}

describe('sign-in family', () => {
  const a = member('a');
  const b = member('b');
  const family = createSignInFamily('both', [a.dialect, b.dialect]);
  const session: MqttSession = { device: { id: 1, productId: 1, name: 'd', gatewayId: null }, key: 'k' };

  it('signs in through its first member and allows either member’s topics', async () => {
    assert.equal(family.keyOf({ clientId: 'k', username: 'k', password: 'p' }), 'k');
    await family.signIn({ clientId: 'k', username: 'k', password: 'p' });
    assert.deepEqual([a.calls.at(-1), b.calls.length], ['signIn k', 0]);
    assert.equal(family.maySubscribe('k', 'b/push/k'), true);
    assert.equal(family.mayPublish('k', 'a/up/k', true), true);
    assert.equal(family.mayPublish('k', 'c/up/k', true), false);
    assert.equal(family.isPushTopic('k', 'a/push/k'), true);
    assert.deepEqual(family.sharedUplinks('g'), ['$share/g/a/up/+', '$share/g/b/up/+']);
  });

  it("hands an uplink to the member whose topic it is, with that member's message", async () => {
    const uplink = family.uplinkOf('b/up/k');
    assert.ok(uplink);
    await family.handle(session, uplink, Buffer.from('x'));
    assert.equal(b.calls.at(-1), 'handle progress x');
    assert.equal(a.calls.includes('handle progress x'), false);
    assert.equal(family.uplinkOf('c/up/k'), null);
  });

  it('greets the member whose push topic was subscribed, every member without one', async () => {
    await family.connected(session, 'a/push/k');
    assert.deepEqual([a.calls.at(-1), b.calls.includes('connected a/push/k')], ['connected a/push/k', false]);
    await family.connected(session);
    assert.deepEqual([a.calls.at(-1), b.calls.at(-1)], ['connected -', 'connected -']);
  });

  it('tells every member of a refusal, and attaches the bus to each', async () => {
    await family.refuse(session, 'nope');
    family.attach(undefined);
    for (const m of [a, b]) assert.deepEqual(m.calls.slice(-2), ['refuse nope', 'attach none']);
  });
});

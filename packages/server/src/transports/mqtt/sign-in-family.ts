// Dialects that share a sign-in (ADR 0014): generations of one platform whose devices sign in
// alike and are told apart only by the topics they use (ThingsPanel v0.5 and v1: the same
// `{productKey}.{deviceName}` and secret). A carrier gives a session to one dialect; this one
// stands for the family: the first member signs the device in, any member's topics are the
// session's, an uplink goes to the member whose topic it is, and a device is greeted by the member
// whose push topic it subscribed (every member when the carrier cannot say). The carriers, the
// online flags and the order of a device's uplinks see one dialect, so a device is one session
// whichever generation's topics it uses.
import type { MqttDialect, Uplink } from './mqtt-dialect.ts';

/** `members` must read credentials alike (the same key for the same credentials). */
export function createSignInFamily(name: string, members: readonly MqttDialect[]): MqttDialect {
  const [first] = members;
  if (!first) throw new Error('a sign-in family needs a member');
  // An uplink's message says which member it is for: `{index} {message}`.
  const memberOf = (uplink: Uplink) => {
    const space = uplink.message.indexOf(' ');
    const member = members[Number(uplink.message.slice(0, space))];
    return member && { member, uplink: { ...uplink, message: uplink.message.slice(space + 1) } };
  };
  return {
    name,
    keyOf: (credentials) => first.keyOf(credentials),
    signIn: (credentials) => first.signIn(credentials),
    deviceOfKey: (key) => first.deviceOfKey(key),
    mayPublish: (key, topic, sharedTopics) => members.some((m) => m.mayPublish(key, topic, sharedTopics)),
    maySubscribe: (key, topic) => members.some((m) => m.maySubscribe(key, topic)),
    isPushTopic: (key, topic) => members.some((m) => m.isPushTopic(key, topic)),
    uplinkOf(topic) {
      for (const [index, member] of members.entries()) {
        const uplink = member.uplinkOf(topic);
        if (uplink) return { ...uplink, message: `${index} ${uplink.message}` };
      }
      return null;
    },
    sharedUplinks: (group) => members.flatMap((m) => m.sharedUplinks(group)),
    async handle(session, uplink, payload) {
      const found = memberOf(uplink);
      if (!found) throw new Error(`no member of ${name} for ${uplink.message}`);
      await found.member.handle(session, found.uplink, payload);
    },
    // The device listens on one member's topics, which the family does not know: each says it.
    async refuse(session, reason) {
      for (const member of members) await member.refuse(session, reason);
    },
    async connected(session, pushTopic) {
      for (const member of members) {
        if (pushTopic === undefined || member.isPushTopic(session.key, pushTopic))
          await member.connected(session, pushTopic);
      }
    },
    attach(bus) {
      for (const member of members) member.attach(bus);
    },
  };
}

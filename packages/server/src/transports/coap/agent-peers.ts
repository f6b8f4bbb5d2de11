// node-coap 1.5's Agent finds the exchange an incoming ACK, Reset or response belongs to by its
// message id alone (`_msgIdToReq` in lib/agent.js), though a message id is only unique per
// endpoint (RFC 7252 §4.4). With thousands of devices on one socket, a device's confirmable
// notification (or its ACK of a separate response) whose id equals that of a request in flight
// to another device was taken for the other exchange: the notification was acknowledged and then
// dropped as a "malformed response" (its token is not the request's), and an ACK stopped the
// other request's retransmissions. Those lost State notifications left a few devices in a
// thousand upgrading for good in the lwm2m bench. Here an exchange matched by id whose peer is not
// the sender is hidden while the message is handled, so that the library matches it by its token
// (or resets it) as it does a message with an unknown id.
import type { RemoteInfo } from 'node:dgram';
import type { Agent } from 'coap';

interface AgentInternals {
  _msgIdToReq: Map<number, object>;
  _handle(packet: { messageId: number }, rsinfo: RemoteInfo, outSocket: unknown): void;
}

export function matchExchangesByPeer(agent: Agent) {
  const inner = agent as unknown as AgentInternals;
  // The package is pinned to the version read (packages/server/package.json); a change there
  // that moved these internals must fail here, at start, not by losing messages.
  if (!(inner._msgIdToReq instanceof Map) || typeof inner._handle !== 'function')
    throw new Error('coap: Agent internals changed (_msgIdToReq, _handle); review agent-peers.ts');
  const handle = inner._handle.bind(agent);
  const peers = new WeakMap<object, string>();
  const key = (address: string, port: number) => `${address}|${port}`;
  inner._handle = (packet, rsinfo, outSocket) => {
    const byId = inner._msgIdToReq.get(packet.messageId);
    const peer = byId === undefined ? undefined : peers.get(byId);
    if (byId === undefined || peer === undefined || peer === key(rsinfo.address, rsinfo.port))
      return handle(packet, rsinfo, outSocket);
    inner._msgIdToReq.delete(packet.messageId);
    try {
      handle(packet, rsinfo, outSocket);
    } finally {
      if (!inner._msgIdToReq.has(packet.messageId)) inner._msgIdToReq.set(packet.messageId, byId);
    }
  };
  return {
    /** Notes the peer of a request made with the agent. */
    sentTo(req: object, address: string, port: number) {
      peers.set(req, key(address, port));
    },
  };
}

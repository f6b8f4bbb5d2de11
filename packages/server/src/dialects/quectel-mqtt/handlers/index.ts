// One switch that dispatches an OTA uplink to its handler by command (the topic says only `ota`;
// QuecThing dispatches on the command too, protocols.md §3.2). Commands a device does not send
// (the downlinks) and 0x0112, which this protocol generation replaces by 0x0114 status 2, are
// refused with an error answer.
import type { QuectelMessage } from '@updraft/protocol';
import type { AccessDevice } from '../../../modules/device-access/device-access.ts';
import type { Dropped, QuectelContext } from '../context.ts';
import { handleEvent } from './event.ts';
import { handleRequest } from './request.ts';

export function dispatch(
  ctx: QuectelContext,
  sender: AccessDevice,
  clientId: string,
  packetId: number,
  message: QuectelMessage,
): Promise<Dropped | null> {
  switch (message.kind) {
    case 'request':
      return handleRequest(ctx, sender, clientId, packetId, message.request);
    case 'event':
      return handleEvent(ctx, sender, clientId, packetId, message.event);
    default: {
      const cmd = message.kind === 'other' ? message.cmd : message.kind;
      const name = typeof cmd === 'number' ? `0x${cmd.toString(16).padStart(4, '0')}` : cmd;
      return ctx.drop(clientId, { code: 400, reason: `command ${name} is not an OTA uplink` }, { packetId });
    }
  }
}

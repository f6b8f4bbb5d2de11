// OneNET Studio's answer envelope (protocols.md §2.10): `{code, msg, data?, request_id}`, HTTP
// 200, `code` 0 on success. The numbers come from codes.ts (OneNET's legacy errno where Studio's
// own are not known); this only writes them.
import { randomUUID } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import type { Errno } from '../onenet-http/errno.ts';

export function studioEnvelope(reply: FastifyReply, errno: Errno, data?: object): FastifyReply {
  return reply.status(200).send({
    code: errno.errno,
    msg: errno.error,
    ...(data !== undefined && { data }),
    // Studio answers carry a request id (32 hex digits); a device may quote it in a ticket.
    request_id: randomUUID().replaceAll('-', ''),
  });
}

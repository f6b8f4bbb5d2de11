// protocols.md §2.4 (8) /ota/devInfo: look up dev_id by the device's unique id (its name here)
// in a product. OneNET documents a GET with the JSON body `{"pid", "authInfo"}`; a POST with that
// body and query parameters are taken too.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { OneNetContext, Query } from '../context.ts';
import { bodyLimit, envelope } from '../envelope.ts';
import { authErrno, badParams, succ, unknownOrForged } from '../errno.ts';

/**
 * The JSON body of a GET: Fastify parses no body on GET (RFC 9110 §9.3.1 gives it no meaning),
 * so it is read here, at most `bodyLimit` bytes; undefined when there is none, null when it is
 * too large or not JSON.
 */
async function bodyOfGet(request: FastifyRequest): Promise<unknown> {
  const { headers } = request;
  if (headers['content-length'] === undefined && headers['transfer-encoding'] === undefined) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request.raw) {
    size += (chunk as Buffer).length;
    if (size > bodyLimit) return null;
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

export const devInfo = (ctx: OneNetContext) => async (request: FastifyRequest, reply: FastifyReply) => {
  const caller = await ctx.authenticate(request.headers.authorization);
  if ('problem' in caller) return envelope(reply, authErrno(caller.problem));
  const raw = request.method === 'GET' ? await bodyOfGet(request) : request.body;
  if (raw === null) {
    // The rest of a body that was too large is never read.
    reply.header('connection', 'close');
    return envelope(reply, badParams('the body is not JSON of at most 4 KiB'));
  }
  const body = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const query = request.query as Query;
  const pid = body['pid'] ?? query['pid'];
  const authInfo = body['authInfo'] ?? query['authInfo'];
  const productId = typeof pid === 'string' && /^\d{1,15}$/.test(pid) ? Number(pid) : pid;
  if (!Number.isSafeInteger(productId) || typeof authInfo !== 'string' || authInfo.length > 128) {
    return envelope(reply, badParams('pid (integer) and authInfo (string) are required'));
  }
  const device = await ctx.access.deviceInProduct(productId as number, authInfo);
  const found = device && (await ctx.access.actingFor(caller, device.id));
  if (!found) return envelope(reply, { errno: 1, error: unknownOrForged });
  return envelope(reply, succ, { dev_id: String(found.id) });
};

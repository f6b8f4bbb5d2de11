// protocols.md §2.4 (1) "detection and upgrade task": GET /ota/south/check (D2), /ota/check (D1).
// `manuf`, `model`, `type`, `version` and `cdn` are required (errno 2 names the missing ones); a
// version is what packages accept (1 to 50 of `[A-Za-z0-9._-]`; OneNET's newer doc says 1 to
// 20, which would leave a device on a longer version unable to ever check), else errno 27.
import { isVersionName } from '@updraft/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { OneNetContext, Query } from '../context.ts';
import { deviceOf } from '../device-of.ts';
import { envelope } from '../envelope.ts';
import { badParams, noOfferErrno, type PathStyle, problemErrno, succ } from '../errno.ts';
import { freeSpaceParam, moduleOf, offerData } from '../offer-data.ts';

function intParam(value: string | undefined): number | undefined | null {
  if (value === undefined || value === '') return undefined;
  return /^-?\d{1,6}$/.test(value) ? Number(value) : null;
}

/** protocols.md §2.4 (1): the parameters a check must carry (`dev_id` only with a product key). */
const required = ['manuf', 'model', 'type', 'version', 'cdn'] as const;

export const check =
  (ctx: OneNetContext, paths: PathStyle) => async (request: FastifyRequest, reply: FastifyReply) => {
    const found = await deviceOf(ctx, request, 'check', paths);
    if ('errno' in found) return envelope(reply, found.errno);
    const query = request.query as Query;
    const missing = required.filter((name) => query[name] === undefined || query[name] === '');
    if (missing.length > 0) return envelope(reply, badParams(`${missing.join(', ')} required`));
    const type = query['type'];
    if (type !== '1' && type !== '2') return envelope(reply, badParams('type must be 1 or 2'));
    if (query['cdn'] !== 'true' && query['cdn'] !== 'false') {
      return envelope(reply, badParams('cdn must be true or false'));
    }
    const version = query['version']!;
    if (!isVersionName(version)) return envelope(reply, { errno: 27, error: 'bad version format' });
    const signal = intParam(query['signals'] ?? query['Signals']);
    const battery = intParam(query['powers'] ?? query['pows'] ?? query['Pows']);
    if (signal === null || battery === null)
      return envelope(reply, badParams('signals and powers are integers'));
    const freeSpace = freeSpaceParam(query);
    if (freeSpace === null) return envelope(reply, badParams('space is a whole number of bytes'));
    const result = await ctx.access.check(found.device, {
      module: moduleOf(query, type),
      version,
      signal,
      battery,
      freeSpace,
      manufacturer: query['manuf'],
      model: query['model'],
    });
    switch (result.kind) {
      case 'problem':
        // A product without a `sota` module has no task of type 2.
        if (result.problem === 'unknown_module' && query['module'] === undefined && type === '2')
          return envelope(reply, {
            errno: 11,
            error: 'no task of this type: the product has no sota module',
          });
        return envelope(reply, problemErrno(result.problem, 'check', paths));
      case 'product_mismatch':
        return envelope(reply, { errno: 8, error: `manuf/model mismatch: ${result.detail}` });
      case 'version_mismatch':
        return envelope(reply, { errno: 9, error: 'version mismatch: the delta package does not apply' });
      case 'none':
        return envelope(reply, noOfferErrno(result.reason, paths));
      case 'offer':
        return envelope(reply, succ, offerData(result.offer, request, paths));
    }
  };

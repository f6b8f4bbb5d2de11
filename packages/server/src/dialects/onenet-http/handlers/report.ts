// protocols.md §2.4 (4) progress, POST /ota/south/device/download/{token}/progress (`step` 0..100
// or a result code), and (5) the two-call report, POST /ota/south/report?token= (`result`,
// 101..208), applied through report-code.ts.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { OneNetContext, Query } from '../context.ts';
import { deviceOf } from '../device-of.ts';
import { envelope } from '../envelope.ts';
import { type PathStyle, problemErrno, succ } from '../errno.ts';
import { readCode, reportCode } from '../report-code.ts';

export const reportStep =
  (ctx: OneNetContext, endpoint: 'progress' | 'report', paths: PathStyle) =>
  async (request: FastifyRequest, reply: FastifyReply) => {
    const found = await deviceOf(ctx, request, endpoint, paths);
    if ('errno' in found) return envelope(reply, found.errno);
    const token =
      endpoint === 'progress'
        ? (request.params as { token: string }).token
        : ((request.query as Query)['token'] ?? '');
    const field = endpoint === 'progress' ? 'step' : 'result';
    const value = readCode(request.body, field);
    if (value === null) return envelope(reply, { errno: 24, error: `${field} must be an integer code` });
    // The two-call report carries result codes only (101..208).
    if (endpoint === 'report' && value <= 100) return envelope(reply, { errno: 24, error: 'bad result' });
    const { device } = found;
    const problem = await reportCode(
      ctx.access,
      device,
      () => ctx.access.upgradeOfToken(token, device),
      value,
    );
    return envelope(reply, problem === null ? succ : problemErrno(problem, endpoint, paths));
  };

// OneNET's answer envelope `{errno, error, data?}` (protocols.md §2.3), always HTTP 200, and the
// error handler and body parsing every OneNET plugin shares: devices get envelopes, never the
// management API's error body, and never a 500.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { badParams, type Errno, internalError } from './errno.ts';

/** OneNET bodies are small JSON objects. */
export const bodyLimit = 4096;

export function envelope(reply: FastifyReply, errno: Errno, data?: object): FastifyReply {
  return reply.status(200).send(data === undefined ? errno : { ...errno, data });
}

/** Writes an errno in a generation's envelope (the legacy `{errno, error}`, Studio's `{code, msg}`). */
export type SendEnvelope = (reply: FastifyReply, errno: Errno) => FastifyReply;

/**
 * Envelopes for every error of the plugin; bodies read as JSON whatever their label (OneNET
 * devices do not always send one; an empty body is no body), or ignored altogether.
 */
export function useOneNetEnvelopes(
  app: FastifyInstance,
  bodies: 'json' | 'ignored',
  send: SendEnvelope = envelope,
): void {
  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    if ((error.statusCode ?? 500) >= 500) {
      request.log.error({ err: error }, 'device API error');
      return send(reply, internalError);
    }
    if (error.statusCode === 413) reply.header('connection', 'close');
    return send(reply, badParams(error.message));
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit }, (_request, body, done) => {
    if (bodies === 'ignored') return done(null, undefined);
    const text = String(body).trim();
    if (text === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(Object.assign(new Error('the body is not valid JSON'), { statusCode: 400 }), undefined);
    }
  });
}

// The seam for device dialects over HTTP (ADR 0010): a dialect registers its routes in a plugin
// of its own, outside /api/v1, with its own error envelope; the HTTP app knows no dialect.
import type { FastifyInstance } from 'fastify';

export interface HttpDialect {
  /** The dialect's folder name, e.g. `onenet-http`. */
  readonly name: string;
  /** Registers the dialect's routes (called once, in an encapsulated plugin per call). */
  readonly plugins: readonly ((app: FastifyInstance) => Promise<void>)[];
}

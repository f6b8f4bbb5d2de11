// Schemas shared by the management routes. The server validates with these and the OpenAPI
// document is generated from the same objects.
import { type TSchema, Type } from '@sinclair/typebox';

export const ErrorBody = Type.Object(
  {
    code: Type.String({ description: 'Stable error code from the catalogue (docs/errors.md)' }),
    message: Type.String(),
    details: Type.Record(Type.String(), Type.Unknown()),
  },
  { $id: 'ErrorBody', additionalProperties: false },
);

export const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) }, { additionalProperties: false });

export const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50, description: 'Page size' })),
  cursor: Type.Optional(Type.String({ maxLength: 512, description: 'nextCursor of the previous page' })),
};

export function pageOf<T extends TSchema>(item: T) {
  return Type.Object({ items: Type.Array(item), nextCursor: Type.Union([Type.String(), Type.Null()]) });
}

export const Timestamp = Type.String({ format: 'date-time' });

/** Error responses every management route may give. */
export function errorResponses(...statuses: number[]) {
  const out: Record<number, unknown> = {};
  for (const status of [400, 401, 403, ...statuses]) out[status] = { $ref: 'ErrorBody#' };
  return out;
}

export function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

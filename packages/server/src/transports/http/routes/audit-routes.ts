// The audit log, for admins: a filtered list (newest first) and the same as CSV.
import { Readable } from 'node:stream';
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AuditEntry, AuditFilter } from '../../../modules/audit/audit-store.ts';
import { csvCell } from '../csv.ts';
import type { RouteContext } from '../route-context.ts';
import { errorResponses, iso, PageQuery, pageOf, Timestamp } from '../schemas.ts';

const filterFields = {
  actor: Type.Optional(Type.String({ maxLength: 200, description: 'user:{name} or key:{name}' })),
  entity: Type.Optional(
    Type.String({ maxLength: 50, description: 'plan, product, device, user, api-key, …' }),
  ),
  entityId: Type.Optional(Type.String({ maxLength: 100 })),
  action: Type.Optional(Type.String({ maxLength: 100, description: 'create, update, delete, publish, …' })),
  from: Type.Optional(Type.String({ format: 'date-time', description: 'At or after this time' })),
  to: Type.Optional(Type.String({ format: 'date-time', description: 'Before this time' })),
};
const AuditQuery = Type.Object({ ...filterFields, ...PageQuery }, { additionalProperties: false });
const AuditExportQuery = Type.Object(filterFields, { additionalProperties: false });

const AuditEntrySchema = Type.Object({
  id: Type.Integer(),
  at: Timestamp,
  actor: Type.String(),
  role: Type.Union([Type.String(), Type.Null()]),
  address: Type.String(),
  method: Type.String(),
  route: Type.String(),
  path: Type.String(),
  entity: Type.String(),
  entityId: Type.Union([Type.String(), Type.Null()]),
  action: Type.String(),
  status: Type.Integer(),
  before: Type.Unknown({
    description: 'The entity before the change when small (secrets redacted), or null',
  }),
  after: Type.Unknown({ description: "The change's answer when small (secrets redacted), or null" }),
});

const view = (entry: AuditEntry) => ({ ...entry, at: iso(entry.at)! });

function filterOf(query: Static<typeof AuditExportQuery>): AuditFilter {
  return {
    actor: query.actor,
    entity: query.entity,
    entityId: query.entityId,
    action: query.action,
    from: query.from === undefined ? undefined : Date.parse(query.from),
    to: query.to === undefined ? undefined : Date.parse(query.to),
  };
}

const csvColumns = [
  'id',
  'at',
  'actor',
  'role',
  'address',
  'method',
  'path',
  'entity',
  'entityId',
  'action',
  'status',
  'before',
  'after',
] as const;

export async function registerAuditRoutes(app: FastifyInstance, { services, cursors }: RouteContext) {
  const tags = ['audit'];
  app.get(
    '/audit-log',
    {
      config: { auth: 'admin' },
      schema: {
        tags,
        summary: 'Management changes, newest first (admins)',
        querystring: AuditQuery,
        response: { 200: pageOf(AuditEntrySchema), ...errorResponses() },
      },
    },
    async (request) => {
      const { cursor, limit, ...filter } = request.query as Static<typeof AuditQuery>;
      const page = await services.audit.list(filterOf(filter), {
        after: cursors.decode('/audit-log', cursor, filter),
        limit: limit ?? 50,
      });
      return { items: page.items.map(view), nextCursor: cursors.encode('/audit-log', page.next, filter) };
    },
  );

  app.get(
    '/audit-log/export',
    {
      config: { auth: 'admin' },
      schema: {
        tags,
        summary: 'The audit log as CSV, newest first (admins)',
        querystring: AuditExportQuery,
        produces: ['text/csv'],
        response: { 200: Type.String({ description: 'CSV with a header row' }), ...errorResponses() },
      },
    },
    async (request, reply) => {
      const filter = filterOf(request.query as Static<typeof AuditExportQuery>);
      async function* csv() {
        yield `${csvColumns.join(',')}\r\n`;
        for await (const entry of services.audit.all(filter)) {
          const row: Record<(typeof csvColumns)[number], unknown> = {
            ...entry,
            at: iso(entry.at),
            before: entry.before === null ? '' : JSON.stringify(entry.before),
            after: entry.after === null ? '' : JSON.stringify(entry.after),
          };
          yield `${csvColumns.map((c) => csvCell(row[c])).join(',')}\r\n`;
        }
      }
      reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="audit-log.csv"');
      return reply.send(Readable.from(csv()));
    },
  );
}

// Delta jobs: generate a delta package from two full packages in the background, follow it,
// cancel it. Operators may still upload their own delta packages through the firmware routes.
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import {
  type DeltaJob,
  deltaFormats,
  deltaJobStatuses,
  deltaProfiles,
} from '../../../modules/deltas/delta-job.ts';
import type { RouteContext } from '../route-context.ts';
import { errorResponses, IdParams, iso, PageQuery, pageOf, Timestamp } from '../schemas.ts';

const literals = <T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)));
const nullable = <T extends ReturnType<typeof Type.Integer>>(schema: T) => Type.Union([schema, Type.Null()]);

export const DeltaJobSchema = Type.Object({
  id: Type.Integer(),
  status: literals(deltaJobStatuses),
  progress: Type.Integer({ minimum: 0, maximum: 100, description: 'Percent, in steps of 5' }),
  productId: Type.Integer(),
  module: Type.String(),
  sourcePackageId: Type.Integer(),
  targetPackageId: Type.Integer(),
  profile: literals(deltaProfiles),
  format: literals(deltaFormats),
  resultPackageId: nullable(Type.Integer({ description: 'The delta package, once succeeded' })),
  error: Type.Union([Type.Object({ code: Type.String(), message: Type.String() }), Type.Null()]),
  patchSize: nullable(Type.Integer({ description: 'Bytes of the patch, once diffed' })),
  fullCompressedSize: nullable(
    Type.Integer({ description: 'Bytes of the target image compressed: what the full package costs' }),
  ),
  attempts: Type.Integer(),
  createdBy: Type.String(),
  createdAt: Timestamp,
  startedAt: Type.Union([Timestamp, Type.Null()]),
  finishedAt: Type.Union([Timestamp, Type.Null()]),
});

const DeltaRequestBody = Type.Object(
  {
    fromPackageId: Type.Integer({ minimum: 1, description: 'The full package devices upgrade from' }),
    profile: literals(deltaProfiles),
    format: Type.Optional(literals(deltaFormats)),
  },
  { additionalProperties: false },
);

const DeltaJobQuery = Type.Object(
  {
    ...PageQuery,
    status: Type.Optional(literals(deltaJobStatuses)),
    productId: Type.Optional(Type.Integer({ minimum: 1 })),
    sourcePackageId: Type.Optional(Type.Integer({ minimum: 1 })),
    targetPackageId: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
);

const jobView = (job: DeltaJob) => ({
  ...job,
  createdAt: iso(job.createdAt),
  startedAt: iso(job.startedAt),
  finishedAt: iso(job.finishedAt),
});

export async function registerDeltaRoutes(app: FastifyInstance, { services, cursors }: RouteContext) {
  const { deltas } = services;
  const tags = ['deltas'];

  app.post(
    '/firmware/:id/deltas',
    {
      config: { auth: 'operator' },
      schema: {
        tags,
        summary: 'Generate a delta package to this full package',
        description:
          'Queues a background job that diffs the full package `fromPackageId` against this one. ' +
          'Both must be single-file full packages of the same product and module. The job ends ' +
          '`succeeded` with a delta package, or `not_worthwhile` when the patch is not clearly ' +
          'smaller than the compressed full image: offer the full package then.',
        params: IdParams,
        body: DeltaRequestBody,
        response: { 202: DeltaJobSchema, ...errorResponses(404, 409) },
      },
    },
    async (request, reply) => {
      const job = await deltas.requestDelta(
        (request.params as Static<typeof IdParams>).id,
        request.body as Static<typeof DeltaRequestBody>,
        request.principal!.name,
      );
      return reply.status(202).send(jobView(job));
    },
  );

  app.get(
    '/delta-jobs',
    {
      config: { auth: 'viewer' },
      schema: {
        tags,
        summary: 'List delta jobs',
        querystring: DeltaJobQuery,
        response: { 200: pageOf(DeltaJobSchema), ...errorResponses() },
      },
    },
    async (request) => {
      const { cursor, limit, ...filter } = request.query as Static<typeof DeltaJobQuery>;
      const page = await deltas.listJobs(filter, {
        after: cursors.decode('/delta-jobs', cursor, filter),
        limit: limit ?? 50,
      });
      return { items: page.items.map(jobView), nextCursor: cursors.encode('/delta-jobs', page.next, filter) };
    },
  );

  app.get(
    '/delta-jobs/:id',
    {
      config: { auth: 'viewer' },
      schema: {
        tags,
        summary: 'Get a delta job',
        params: IdParams,
        response: { 200: DeltaJobSchema, ...errorResponses(404) },
      },
    },
    async (request) => jobView(await deltas.getJob((request.params as Static<typeof IdParams>).id)),
  );

  app.post(
    '/delta-jobs/:id/cancel',
    {
      config: { auth: 'operator' },
      schema: {
        tags,
        summary: 'Cancel a queued or running delta job',
        params: IdParams,
        response: { 200: DeltaJobSchema, ...errorResponses(404, 409) },
      },
    },
    async (request) => jobView(await deltas.cancelJob((request.params as Static<typeof IdParams>).id)),
  );
}

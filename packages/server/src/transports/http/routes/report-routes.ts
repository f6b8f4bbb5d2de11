// Fleet-wide reports across plans (viewer reads): device upgrades ended per UTC day. The
// counting lives in the plans module and the store; this file only translates.
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { RouteContext } from '../route-context.ts';
import { errorResponses } from '../schemas.ts';

const CompletionsQuery = Type.Object(
  {
    productId: Type.Optional(Type.Integer({ minimum: 1, description: 'Only plans of this product' })),
    days: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 366, default: 30, description: 'UTC days up to today, included' }),
    ),
  },
  { additionalProperties: false },
);

const SuccessRate = Type.Union([Type.Number(), Type.Null()], {
  description: 'success / (success + failure); null when none ended either way',
});

const DailyCompletions = Type.Object({
  items: Type.Array(
    Type.Object({
      day: Type.String({ format: 'date', description: 'UTC day of the finish time' }),
      success: Type.Integer(),
      failure: Type.Integer(),
      successRate: SuccessRate,
    }),
    { description: 'One entry per day, oldest first, days with nothing ended included' },
  ),
  total: Type.Object({ success: Type.Integer(), failure: Type.Integer(), successRate: SuccessRate }),
});

const rateOf = (success: number, failure: number) =>
  success + failure === 0 ? null : success / (success + failure);

export async function registerReportRoutes(app: FastifyInstance, { services }: RouteContext) {
  const { plans } = services;
  const tags = ['reports'];

  app.get(
    '/reports/completions',
    {
      config: { auth: 'viewer' },
      schema: {
        tags,
        summary: 'Device upgrades ended in success and in failure per UTC day, with the success rate',
        querystring: CompletionsQuery,
        response: { 200: DailyCompletions, ...errorResponses(404) },
      },
    },
    async (request) => {
      const { productId, days } = request.query as Static<typeof CompletionsQuery>;
      if (productId !== undefined) await services.catalog.getProduct(productId);
      const series = await plans.dailyCompletions({ productId, days: days ?? 30 });
      const success = series.reduce((n, c) => n + c.success, 0);
      const failure = series.reduce((n, c) => n + c.failure, 0);
      return {
        items: series.map((c) => ({
          day: new Date(c.at).toISOString().slice(0, 10),
          success: c.success,
          failure: c.failure,
          successRate: rateOf(c.success, c.failure),
        })),
        total: { success, failure, successRate: rateOf(success, failure) },
      };
    },
  );
}

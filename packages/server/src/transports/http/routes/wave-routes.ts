// Staged rollouts' operator steps (issue 18): the approval of the next wave at a manual gate, and
// the rollback plan of a plan that went wrong. The waves themselves are set in the plan body and
// shown in the plan and its report.
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { actor, type RouteContext } from '../route-context.ts';
import { errorResponses, IdParams } from '../schemas.ts';
import { PlanSchema, planView } from './plan-schemas.ts';

const idOf = (request: FastifyRequest) => (request.params as Static<typeof IdParams>).id;

export async function registerWaveRoutes(app: FastifyInstance, { services }: RouteContext) {
  app.post(
    '/plans/:id/waves/approve',
    {
      config: { auth: 'operator' },
      schema: {
        tags: ['plans'],
        summary: 'Approve the next wave of a plan waiting at a manual gate',
        description:
          'The wave under way is through (its success threshold met, its soak over) and has a manual gate: the next wave starts (webhook wave.started). Otherwise 409 PLAN_WAVE_NOT_GATED.',
        params: IdParams,
        response: { 200: PlanSchema, ...errorResponses(404, 409) },
      },
    },
    async (request) => planView(await services.plans.approveWave(idOf(request), actor(request))),
  );

  app.post(
    '/plans/:id/rollback',
    {
      config: { auth: 'operator' },
      schema: {
        tags: ['plans'],
        summary: 'Create the rollback plan of a halted, cancelled, expired or failed plan',
        description:
          'Draft plans (one per previous version; usually one) that bring the devices that took the new version back to the version they had when enrolled, with a full package of that version, the blacklist, cap, thresholds, timing and waves of the plan. They are ordinary plans: publish them. `skipped` lists devices whose previous version is unknown or has no full package. 409 PLAN_INVALID_TRANSITION for a running, scheduled or draft plan or one completed without failures.',
        params: IdParams,
        response: {
          201: Type.Object({
            plans: Type.Array(PlanSchema),
            skipped: Type.Array(
              Type.Object({
                version: Type.Union([Type.String(), Type.Null()]),
                count: Type.Integer(),
                deviceIds: Type.Array(Type.Integer(), { description: 'The first 100' }),
              }),
            ),
          }),
          ...errorResponses(404, 409),
        },
      },
    },
    async (request, reply) => {
      const { plans, skipped } = await services.plans.createRollback(idOf(request), actor(request));
      return reply.status(201).send({ plans: plans.map(planView), skipped });
    },
  );
}

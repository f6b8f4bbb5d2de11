// Upgrade plans, their device upgrades, reports and exports (viewer reads, operator acts), and
// the fleet view of versions. The rules live in the plans module; this file only translates.
import { Readable } from 'node:stream';
import { type Static, Type } from '@sinclair/typebox';
import { bucketProgress } from '@updraft/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { DescribedUpgrade } from '../../../modules/plans/component-views.ts';
import type { UpgradeOutcome } from '../../../modules/plans/upgrade-engine-contract.ts';
import type { ConflictReport } from '../../../modules/plans/upgrade-store.ts';
import { actor, type RouteContext } from '../route-context.ts';
import { errorResponses, IdParams, iso, pageOf } from '../schemas.ts';
import { operatorActions } from './operator-actions.ts';
import {
  ActionBody,
  countsView,
  ExportQuery,
  Outcomes,
  PlanBody,
  type PlanBodyType,
  PlanQuery,
  PlanSchema,
  PlanWithCounts,
  planInputOf,
  planView,
  ReportQuery,
  Targets,
  TargetsBody,
  Transition,
  UpgradeIdsBody,
  UpgradeQuery,
} from './plan-schemas.ts';
import { Report } from './report-schemas.ts';
import { UpgradeSchema, upgradeView } from './upgrade-schemas.ts';

const idOf = (request: FastifyRequest) => (request.params as Static<typeof IdParams>).id;

function outcomesView(outcomes: UpgradeOutcome[]) {
  return {
    affected: outcomes.filter((o) => o.accepted).length,
    items: outcomes.map((o) => ({
      upgradeId: o.upgradeId,
      deviceId: o.deviceId,
      accepted: o.accepted,
      refusal: o.refusal,
      status: o.status,
    })),
  };
}

/** First-attempt successes over decided devices, or null before any is decided. */
function firstAttemptRate(first: number, counts: { success: number; failure: number }): number | null {
  const decided = counts.success + counts.failure;
  return decided === 0 ? null : first / decided;
}

function targetsView({ devices, busy, waves }: { devices: number; busy: ConflictReport; waves: number[] }) {
  return { devices, waves, busy: busy.count, busyDeviceIds: busy.deviceIds };
}

const csvColumns = [
  'upgradeId',
  'deviceId',
  'deviceName',
  'status',
  'noUpdateRequired',
  'stage',
  'progress',
  'failureReason',
  'lastFailureReason',
  'attempts',
  'pushCount',
  'refusals',
  'reportedVersion',
  'waitingReason',
  'deviceOnline',
  'startedAt',
  'finishedAt',
  'components',
  'wave',
] as const;

function csvCell(value: unknown): string {
  const text = value === null || value === undefined ? '' : String(value);
  // RFC 4180 quoting; a leading = + - @ is defused so spreadsheets do not run it as a formula.
  const safe = /^[=+\-@]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function exportRow(record: DescribedUpgrade) {
  const s = record.state;
  return {
    upgradeId: record.id,
    deviceId: record.deviceId,
    deviceName: record.deviceName,
    status: s.status,
    noUpdateRequired: record.noUpdateRequired,
    stage: s.stage,
    progress: s.progress,
    failureReason: s.failureReason,
    lastFailureReason: s.lastFailureReason,
    attempts: s.attempts,
    pushCount: s.pushCount,
    refusals: s.refusals,
    reportedVersion: s.reportedVersion ?? record.device.version,
    waitingReason: record.waitingReason,
    deviceOnline: record.device.online,
    startedAt: iso(s.startedAt),
    finishedAt: iso(s.finishedAt),
    // Each component's state, in order: `default:success;mcu:failure` (docs/adr/0011).
    components: record.components.map((c) => `${c.module}:${c.status}`).join(';'),
    // 0-based, as the API's and the webhooks' (the console shows wave n + 1).
    wave: record.wave,
  };
}

export async function registerPlanRoutes(app: FastifyInstance, { services, cursors }: RouteContext) {
  const { plans } = services;
  const tags = ['plans'];
  const body = (schema: object) => ({ body: schema });
  // Action bodies are optional: a bare POST is an empty object.
  const preValidation = async (request: FastifyRequest) => {
    if (request.body === undefined) request.body = {};
  };

  app.get(
    '/plans',
    {
      config: { auth: 'viewer' },
      schema: {
        tags,
        summary: 'List plans',
        querystring: PlanQuery,
        response: { 200: pageOf(PlanSchema), ...errorResponses() },
      },
    },
    async (request) => {
      const { cursor, limit, ...filter } = request.query as Static<typeof PlanQuery>;
      const page = await plans.listPlans(filter, {
        after: cursors.decode('/plans', cursor, filter),
        limit: limit ?? 50,
      });
      return { items: page.items.map(planView), nextCursor: cursors.encode('/plans', page.next, filter) };
    },
  );

  app.post(
    '/plans',
    {
      config: { auth: 'operator' },
      schema: {
        tags,
        summary: 'Create a draft plan',
        ...body(PlanBody),
        response: { 201: PlanSchema, ...errorResponses(404, 409) },
      },
    },
    async (request, reply) => {
      const plan = await plans.createPlan(planInputOf(request.body as PlanBodyType), actor(request));
      return reply.status(201).send(planView(plan));
    },
  );

  app.get(
    '/plans/:id',
    {
      config: { auth: 'viewer' },
      schema: {
        tags,
        summary: 'Get a plan with its counts',
        params: IdParams,
        response: { 200: PlanWithCounts, ...errorResponses(404) },
      },
    },
    async (request) => {
      const plan = await plans.getPlan(idOf(request));
      return { ...planView(plan), ...countsView(await plans.counts(plan.id)) };
    },
  );

  app.put(
    '/plans/:id',
    {
      config: { auth: 'operator' },
      schema: {
        tags,
        summary: 'Replace a draft plan (drafts only)',
        params: IdParams,
        ...body(PlanBody),
        response: { 200: PlanSchema, ...errorResponses(404, 409) },
      },
    },
    async (request) =>
      planView(await plans.updatePlan(idOf(request), planInputOf(request.body as PlanBodyType))),
  );

  app.post(
    '/plans/:id/publish',
    {
      preValidation,
      config: { auth: 'operator' },
      schema: {
        tags,
        summary: 'Publish a draft: start it now, or schedule it (start by hand or at a time)',
        description:
          'Refused with PLAN_CONFLICT (details.deviceIds) when targeted devices are in another active plan of the module, unless takeOver; a scheduled plan takes them over when it starts. Devices busy by then join once their other plan lets them go (the start transition names them). Refused with PLAN_DOWNGRADE (details.newer) when targeted devices run a version newer than the target, unless the plan is marked downgrade.',
        params: IdParams,
        ...body(ActionBody),
        response: { 200: PlanSchema, ...errorResponses(404, 409) },
      },
    },
    async (request) => {
      const { takeOver } = (request.body ?? {}) as Static<typeof ActionBody>;
      return planView(await plans.publish(idOf(request), actor(request), takeOver ?? false));
    },
  );

  for (const action of ['start', 'pause', 'resume', 'cancel'] as const) {
    app.post(
      `/plans/:id/${action}`,
      {
        preValidation,
        config: { auth: 'operator' },
        schema: {
          tags,
          summary: `${action[0]!.toUpperCase()}${action.slice(1)} a plan`,
          params: IdParams,
          ...body(ActionBody),
          response: { 200: PlanSchema, ...errorResponses(404, 409) },
        },
      },
      async (request) => {
        const options = (request.body ?? {}) as Static<typeof ActionBody>;
        return planView(await plans.runAction(idOf(request), action, actor(request), options));
      },
    );
  }

  app.get(
    '/plans/:id/targets',
    {
      config: { auth: 'viewer' },
      schema: {
        tags,
        summary: 'How many devices the plan targets now (a draft: what publishing would enrol)',
        description:
          'Counted from the target, the white and black lists and, for a delta, the source version. `busy` devices are in another active plan of the module: publishing is refused for them unless takeOver.',
        params: IdParams,
        response: { 200: Targets, ...errorResponses(404) },
      },
    },
    async (request) => targetsView(await plans.previewTargets(idOf(request))),
  );

  app.post(
    '/plans/targets',
    {
      // A preview: nothing changes, nothing to audit.
      config: { auth: 'viewer', audit: false },
      schema: {
        tags,
        summary: 'How many devices a plan body would target, before it is saved (nothing is stored)',
        description:
          'The body of creating a plan (the name may be left out), checked as creating checks it: the same error codes. Answers as GET /plans/{id}/targets; `busy` devices are in an active plan of the module.',
        ...body(TargetsBody),
        response: { 200: Targets, ...errorResponses(404) },
      },
    },
    async (request) =>
      targetsView(await plans.previewSpec(planInputOf(request.body as Static<typeof TargetsBody>))),
  );

  app.get(
    '/plans/:id/transitions',
    {
      config: { auth: 'viewer' },
      schema: {
        tags,
        summary: 'Every lifecycle transition of a plan, with who and when',
        params: IdParams,
        response: { 200: Type.Object({ items: Type.Array(Transition) }), ...errorResponses(404) },
      },
    },
    async (request) => ({
      items: (await plans.listTransitions(idOf(request))).map((r) => ({ ...r, at: iso(r.at)! })),
    }),
  );

  app.get(
    '/plans/:id/report',
    {
      config: { auth: 'viewer' },
      schema: {
        tags,
        summary: 'Counts, success rate, progress distribution, failure reasons, completions over time',
        params: IdParams,
        querystring: ReportQuery,
        response: { 200: Report, ...errorResponses(404) },
      },
    },
    async (request) => {
      const { bucketMinutes } = request.query as Static<typeof ReportQuery>;
      const report = await plans.report(idOf(request), (bucketMinutes ?? 60) * 60_000);
      function* progresses() {
        for (const { progress, count } of report.progress) for (let i = 0; i < count; i++) yield progress;
      }
      return {
        ...countsView(report.counts),
        outcomes: {
          upgraded: report.counts.success - report.noUpdateRequired,
          noUpdateRequired: report.noUpdateRequired,
        },
        components: report.components,
        waves: report.waves,
        progressBuckets: bucketProgress(progresses()),
        failureReasons: report.failureReasons,
        refusals: report.refusals,
        awaitingConfirmation: report.awaitingConfirmation,
        history: {
          ...report.history,
          firstAttemptSuccessRate: firstAttemptRate(report.history.firstAttemptSuccesses, report.counts),
        },
        completions: report.completions.map((c) => ({ ...c, at: iso(c.at)! })),
      };
    },
  );

  app.get(
    '/plans/:id/upgrades',
    {
      config: { auth: 'viewer' },
      schema: {
        tags,
        summary: 'The device upgrades of a plan',
        params: IdParams,
        querystring: UpgradeQuery,
        response: { 200: pageOf(UpgradeSchema), ...errorResponses(404) },
      },
    },
    async (request) => {
      const { cursor, limit, ...filter } = request.query as Static<typeof UpgradeQuery>;
      const keyed = { ...filter, plan: idOf(request) };
      const page = await plans.listUpgrades(idOf(request), filter, {
        after: cursors.decode('/plans/:id/upgrades', cursor, keyed),
        limit: limit ?? 50,
      });
      return {
        items: page.items.map(upgradeView),
        nextCursor: cursors.encode('/plans/:id/upgrades', page.next, keyed),
      };
    },
  );

  app.get(
    '/plans/:id/export',
    {
      config: { auth: 'viewer' },
      schema: {
        tags,
        summary: 'Per-device results as CSV or JSON, streamed',
        params: IdParams,
        querystring: ExportQuery,
        produces: ['text/csv', 'application/json'],
        response: {
          200: Type.String({ description: 'CSV with a header row, or a JSON array' }),
          ...errorResponses(404),
        },
      },
    },
    async (request, reply) => {
      const id = idOf(request);
      const plan = await plans.getPlan(id);
      const format = (request.query as Static<typeof ExportQuery>).format ?? 'csv';
      // A page of 1000 rows is one chunk of the answer: a write per row cost more than the query.
      async function* pages() {
        let after: number | undefined;
        for (;;) {
          const page = await plans.listUpgrades(id, {}, { after, limit: 1000 });
          yield page.items.map(exportRow);
          if (page.next === null) return;
          after = page.next;
        }
      }
      async function* csv() {
        yield `${csvColumns.join(',')}\r\n`;
        for await (const rows of pages()) {
          let chunk = '';
          for (const row of rows) chunk += `${csvColumns.map((c) => csvCell(row[c])).join(',')}\r\n`;
          yield chunk;
        }
      }
      async function* json() {
        let first = true;
        yield '[';
        for await (const rows of pages()) {
          let chunk = '';
          for (const row of rows) {
            chunk += `${first ? '' : ','}\n${JSON.stringify(row)}`;
            first = false;
          }
          yield chunk;
        }
        yield '\n]\n';
      }
      reply
        .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8')
        .header('content-disposition', `attachment; filename="plan-${plan.id}.${format}"`);
      return reply.send(Readable.from(format === 'csv' ? csv() : json()));
    },
  );

  const bulk = operatorActions;
  for (const { path, action, summary, description } of bulk) {
    app.post(
      `/plans/:id/upgrades/${path}`,
      {
        preValidation,
        config: { auth: 'operator' },
        schema: {
          tags,
          summary,
          ...(description !== undefined && { description }),
          params: IdParams,
          ...body(UpgradeIdsBody),
          response: { 200: Outcomes, ...errorResponses(404, 409) },
        },
      },
      async (request) => {
        const id = idOf(request);
        const { upgradeIds } = (request.body ?? {}) as Static<typeof UpgradeIdsBody>;
        if (upgradeIds !== undefined) {
          return outcomesView(await plans.actOnUpgrades(id, upgradeIds, action, actor(request)));
        }
        if (action === 'operator_cancel') return outcomesView([]);
        const affected =
          action === 'operator_retry'
            ? await plans.retryFailed(id, actor(request))
            : await plans.decideAwaiting(id, action, actor(request));
        return { affected, items: [] };
      },
    );
  }
}

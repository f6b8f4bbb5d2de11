// Device upgrades one by one (with their log), a device's history and the plans waiting for
// it, the fleet view of versions, and plan settings.
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { actor, type RouteContext } from '../route-context.ts';
import { errorResponses, IdParams, iso, PageQuery, pageOf } from '../schemas.ts';
import { operatorActions } from './operator-actions.ts';
import { LogEntry, UpgradeSchema, upgradeView } from './upgrade-schemas.ts';

const idOf = (request: FastifyRequest) => (request.params as Static<typeof IdParams>).id;

export async function registerDeviceUpgradeRoutes(app: FastifyInstance, { services, cursors }: RouteContext) {
  const { plans } = services;
  const tags = ['plans'];
  const body = (schema: object) => ({ body: schema });
  app.get(
    '/device-upgrades/:id',
    {
      config: { auth: 'viewer' },
      schema: {
        tags,
        summary: 'One device upgrade with its append-only log',
        description:
          'The log is empty once the plan ended longer ago than UPDRAFT_UPGRADE_LOG_RETENTION_DAYS (when set); the record itself stays.',
        params: IdParams,
        response: {
          200: Type.Intersect([UpgradeSchema, Type.Object({ log: Type.Array(LogEntry) })]),
          ...errorResponses(404),
        },
      },
    },
    async (request) => {
      const record = await plans.getUpgrade(idOf(request));
      const log = await plans.upgradeLog(record.id);
      return { ...upgradeView(record), log: log.map((e) => ({ ...e, at: iso(e.at)! })) };
    },
  );

  for (const { path, action, description } of operatorActions) {
    app.post(
      `/device-upgrades/:id/${path}`,
      {
        config: { auth: 'operator' },
        schema: {
          tags,
          summary: `${path[0]!.toUpperCase()}${path.slice(1)} one device upgrade`,
          ...(description !== undefined && { description }),
          params: IdParams,
          response: { 200: UpgradeSchema, ...errorResponses(404, 409) },
        },
      },
      async (request) => upgradeView(await plans.actOnUpgrade(idOf(request), action, actor(request))),
    );
  }

  app.get(
    '/devices/:id/upgrades',
    {
      config: { auth: 'viewer' },
      schema: {
        tags,
        summary: "A device's upgrade history across plans",
        params: IdParams,
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: { 200: pageOf(UpgradeSchema), ...errorResponses(404) },
      },
    },
    async (request) => {
      const { cursor, limit } = request.query as { cursor?: string; limit?: number };
      const keyed = { device: idOf(request) };
      const page = await plans.upgradesOfDevice(idOf(request), {
        after: cursors.decode('/devices/:id/upgrades', cursor, keyed),
        limit: limit ?? 50,
      });
      return {
        items: page.items.map(upgradeView),
        nextCursor: cursors.encode('/devices/:id/upgrades', page.next, keyed),
      };
    },
  );

  app.get(
    '/devices/:id/pending-upgrades',
    {
      config: { auth: 'viewer' },
      schema: {
        tags,
        summary:
          'The plans waiting for a device (confirm or reject via device-upgrades; the device itself asks GET /device/v1/confirmations)',
        params: IdParams,
        response: { 200: Type.Object({ items: Type.Array(UpgradeSchema) }), ...errorResponses(404) },
      },
    },
    async (request) => ({ items: (await plans.activeUpgradesOfDevice(idOf(request))).map(upgradeView) }),
  );

  app.get(
    '/products/:id/fleet',
    {
      config: { auth: 'viewer' },
      schema: {
        tags,
        summary: 'Fleet view: devices per reported version of each module',
        params: IdParams,
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({ module: Type.String(), version: Type.String(), devices: Type.Integer() }),
            ),
          }),
          ...errorResponses(404),
        },
      },
    },
    async (request) => {
      await services.catalog.getProduct(idOf(request));
      return { items: await services.devices.fleetVersions(idOf(request)) };
    },
  );

  const Settings = Type.Object(
    { requireVerifiedFirmware: Type.Boolean({ description: 'Normal plans need a verified package' }) },
    { additionalProperties: false },
  );
  app.get(
    '/plan-settings',
    {
      config: { auth: 'viewer' },
      schema: { tags, summary: 'Plan settings', response: { 200: Settings, ...errorResponses() } },
    },
    async () => ({ requireVerifiedFirmware: await plans.requireVerified() }),
  );
  app.put(
    '/plan-settings',
    {
      config: { auth: 'admin' },
      schema: {
        tags,
        summary: 'Change plan settings',
        ...body(Settings),
        response: { 200: Settings, ...errorResponses() },
      },
    },
    async (request) => {
      const { requireVerifiedFirmware } = request.body as Static<typeof Settings>;
      await plans.setRequireVerified(requireVerifiedFirmware);
      return { requireVerifiedFirmware };
    },
  );
}

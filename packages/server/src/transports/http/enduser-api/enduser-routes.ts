// The end-user API under /enduserapi/v1 (docs/enduser-api.md), for the app of a device's owner,
// modelled on Quectel's enduserapi (protocols.md §3.5). Its credential is an end-user token
// (Authorization: Bearer eut_…), never an API key or a console session; each route reaches the
// token's devices only. Errors are the management API's {code, message, details}.
import { type Static, Type } from '@sinclair/typebox';
import { UpdraftError } from '@updraft/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { EndUserSession } from '../../../modules/end-users/enduser-tokens.ts';
import type { Services } from '../../../services.ts';
import { errorResponses } from '../schemas.ts';
import {
  Appointment,
  AutoUpgrade,
  DeviceSchema,
  deviceView,
  UpgradeSchema,
  upgradeView,
} from './enduser-schemas.ts';

export const endUserApiPrefix = '/enduserapi/v1';

declare module 'fastify' {
  interface FastifyRequest {
    endUser: EndUserSession | null;
  }
}

const tags = ['end-user API'];
const security = [{ endUserToken: [] }];
const UpgradeParams = Type.Object(
  { upgradeId: Type.Integer({ minimum: 1 }) },
  { additionalProperties: false },
);
const DeviceParams = Type.Object({ deviceId: Type.Integer({ minimum: 1 }) }, { additionalProperties: false });
const ListQuery = Type.Object(
  { deviceId: Type.Optional(Type.Integer({ minimum: 1, description: 'One of the token’s devices only' })) },
  { additionalProperties: false },
);
const Items = <T extends ReturnType<typeof Type.Object>>(item: T) => Type.Object({ items: Type.Array(item) });
const responses = (ok: unknown) => ({ 200: ok, ...errorResponses(404, 409) });

export async function registerEndUserRoutes(app: FastifyInstance, services: Services): Promise<void> {
  const { tokens, owner } = services.endUsers;
  app.decorateRequest('endUser', null);
  app.addHook('onRequest', async (request) => {
    const header = request.headers.authorization;
    if (!header?.startsWith('Bearer ')) {
      throw new UpdraftError('ENDUSER_TOKEN_INVALID', 'send an end-user token: Authorization: Bearer eut_…');
    }
    request.endUser = await tokens.authenticate(header.slice(7).trim());
  });
  const session = (request: FastifyRequest) => request.endUser!;
  const upgradeIdOf = (request: FastifyRequest) => (request.params as Static<typeof UpgradeParams>).upgradeId;
  const deviceIdOf = (request: FastifyRequest) => (request.params as Static<typeof DeviceParams>).deviceId;

  app.get(
    '/devices',
    {
      schema: {
        tags,
        security,
        summary: "The token's devices with their auto-upgrade switches",
        response: responses(Items(DeviceSchema)),
      },
    },
    async (request) => ({ items: (await owner.devices(session(request))).map(deviceView) }),
  );

  app.get(
    '/upgrades',
    {
      schema: {
        tags,
        security,
        summary: "The upgrades under way or waiting for the token's devices, with their texts",
        description:
          "Quectel's getDeviceUpgradePlan. `waiting` marks those that await the owner's decision (confirm, appoint, reject).",
        querystring: ListQuery,
        response: responses(Items(UpgradeSchema)),
      },
    },
    async (request) => {
      const { deviceId } = request.query as Static<typeof ListQuery>;
      return { items: (await owner.upgrades(session(request), deviceId)).map(upgradeView) };
    },
  );

  app.get(
    '/upgrades/:upgradeId',
    {
      schema: {
        tags,
        security,
        summary: "An upgrade's details (Quectel's getBatchUpgradeDetails)",
        description: 'Also a finished one. Another device’s upgrade is NOT_FOUND.',
        params: UpgradeParams,
        response: responses(UpgradeSchema),
      },
    },
    async (request) => upgradeView(await owner.upgrade(session(request), upgradeIdOf(request))),
  );

  const actions = {
    confirm: 'Confirm a manual plan’s upgrade: the device gets it now (an appointment is dropped)',
    reject: 'Reject it: the upgrade ends in failure with reason rejected',
    retry: 'Retry an upgrade that failed',
  } as const;
  for (const [action, summary] of Object.entries(actions) as [keyof typeof actions, string][]) {
    app.post(
      `/upgrades/:upgradeId/${action}`,
      {
        schema: {
          tags,
          security,
          summary,
          description:
            "Quectel's userBatchConfirmUpgrade. UPGRADE_INVALID_TRANSITION when the upgrade is not in a state that takes it.",
          params: UpgradeParams,
          response: responses(UpgradeSchema),
        },
      },
      async (request) => upgradeView(await owner.act(session(request), upgradeIdOf(request), action)),
    );
  }

  app.post(
    '/upgrades/:upgradeId/appoint',
    {
      schema: {
        tags,
        security,
        summary: 'Appoint a window in which the device gets a manual plan’s upgrade',
        description:
          "At least an hour, inside the plan's period; before it the upgrade is neither pushed nor offered, at its start it is pushed; a device that has not taken it by the end waits for a new decision.",
        params: UpgradeParams,
        body: Appointment,
        response: responses(UpgradeSchema),
      },
    },
    async (request) => {
      const { from, until } = request.body as Static<typeof Appointment>;
      const window = { from: Date.parse(from), until: Date.parse(until) };
      return upgradeView(
        await owner.appoint(session(request), upgradeIdOf(request), window.from, window.until),
      );
    },
  );

  app.get(
    '/devices/:deviceId/auto-upgrade',
    {
      schema: {
        tags,
        security,
        summary: "A device's auto-upgrade switch (Quectel's getAutoUpgradeSwitch)",
        params: DeviceParams,
        response: responses(AutoUpgrade),
      },
    },
    async (request) => ({ enabled: await owner.autoUpgrade(session(request), deviceIdOf(request)) }),
  );

  app.put(
    '/devices/:deviceId/auto-upgrade',
    {
      schema: {
        tags,
        security,
        summary: "Set a device's auto-upgrade switch (Quectel's setAutoUpgradeSwitch)",
        description:
          'On: every manual plan’s upgrade of the device that awaits a confirmation is confirmed now, and later ones as they come (within a scheduler tick).',
        params: DeviceParams,
        body: AutoUpgrade,
        response: responses(AutoUpgrade),
      },
    },
    async (request) => {
      const { enabled } = request.body as Static<typeof AutoUpgrade>;
      return { enabled: await owner.setAutoUpgrade(session(request), deviceIdOf(request), enabled) };
    },
  );
}

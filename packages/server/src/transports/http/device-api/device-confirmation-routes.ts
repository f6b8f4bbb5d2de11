// The device side of manual plans (docs/device-http.md, "Confirmations"): a device's app, or a
// gateway for one of its sub-devices, asks which upgrades wait for its confirmation and
// confirms or rejects them. Authentication is the device API's (OneNET Authorization token,
// `dev_id` for a sub-device or with a product key); answers are OneNET envelopes. The engine
// decides what a confirmation or rejection does (docs/state-machines.md).
import { type Static, type TProperties, Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  type AccessDevice,
  type DeviceAccessService,
  isProductCaller,
} from '../../../modules/device-access/device-access-service.ts';
import type { PlanService } from '../../../modules/plans/plan-service.ts';
import type { UpgradeRecord } from '../../../modules/plans/plan-store.ts';
import type { UpgradeEngine } from '../../../modules/plans/upgrade-engine.ts';
import { authErrno, badParams, type Errno, internalError, succ } from './onenet-errno.ts';

/** What the routes use of the services (named as in services.ts). */
export interface DeviceConfirmationOptions {
  deviceAccess: Pick<DeviceAccessService, 'authenticate' | 'actingFor'>;
  plans: Pick<PlanService, 'activeUpgradesOfDevice' | 'getPlan'>;
  upgrades: Pick<UpgradeEngine, 'reportDeviceEvents'>;
}

const foreign: Errno = { errno: 1, error: 'auth failed: device does not exist' };
const noSuchUpgrade: Errno = { errno: 11, error: 'no task: no such upgrade waits for this device' };
const notManual: Errno = { errno: 17, error: 'invalid state: the upgrade needs no confirmation' };

const tags = ['device API'];
const security: Record<string, string[]>[] = [];
const Headers = Type.Object({
  authorization: Type.Optional(
    Type.String({ description: 'OneNET token signed with the device secret (or the product key)' }),
  ),
});
const DeviceQuery = Type.Object(
  {
    dev_id: Type.Optional(
      Type.String({
        pattern: '^[0-9]{1,15}$',
        description: 'The device asked about: the caller, one of its sub-devices, or (product key) any',
      }),
    ),
  },
  { additionalProperties: true },
);
const UpgradeParams = Type.Object({ upgradeId: Type.String({ pattern: '^[0-9]{1,15}$' }) });
const Envelope = (data?: TProperties) =>
  Type.Object({
    errno: Type.Integer({ description: '0 on success (docs/device-http.md, errno)' }),
    error: Type.String(),
    ...(data !== undefined && { data: Type.Optional(Type.Object(data)) }),
  });
const PendingItem = Type.Object({
  upgradeId: Type.Integer(),
  planId: Type.Integer(),
  plan: Type.String({ description: "The plan's name" }),
  module: Type.String(),
  target: Type.String({ description: 'The version the upgrade installs' }),
  type: Type.Integer({ description: '1 full, 2 delta package' }),
  since: Type.Integer({ description: 'Waiting since (unix seconds)' }),
  deadline: Type.Union([Type.Integer({ description: 'unix seconds' }), Type.Null()]),
});

function envelope(reply: FastifyReply, errno: Errno, data?: object): FastifyReply {
  return reply.status(200).send(data === undefined ? errno : { ...errno, data });
}

const seconds = (ms: number) => Math.floor(ms / 1000);

export async function registerDeviceConfirmationRoutes(
  app: FastifyInstance,
  { deviceAccess: access, plans, upgrades }: DeviceConfirmationOptions,
): Promise<void> {
  // As in device-api-routes.ts: devices get envelopes, never the management error body.
  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    if ((error.statusCode ?? 500) >= 500) {
      request.log.error({ err: error }, 'device API error');
      return envelope(reply, internalError);
    }
    return envelope(reply, badParams(error.message));
  });
  // The decisions take no body; whatever a device sends (often an unlabelled `{}`) is ignored.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: 4096 }, (_request, _body, done) =>
    done(null, undefined),
  );

  /**
   * The caller, or the device `dev_id` names when the caller may act for it (its gateway, or
   * its product's key), with who acts, for the upgrade's log.
   */
  async function deviceOf(
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<{ device: AccessDevice; actor: string } | null> {
    const caller = await access.authenticate(request.headers.authorization);
    if ('problem' in caller) {
      envelope(reply, authErrno(caller.problem));
      return null;
    }
    const devId = (request.query as Static<typeof DeviceQuery>).dev_id;
    if (devId === undefined) {
      if (!isProductCaller(caller)) return { device: caller, actor: `device:${caller.id}` };
      envelope(reply, badParams('dev_id is required with a product key'));
      return null;
    }
    const device = await access.actingFor(caller, Number(devId));
    if (!device) {
      envelope(reply, foreign);
      return null;
    }
    if (!isProductCaller(caller) && caller.id === device.id) return { device, actor: `device:${device.id}` };
    const by = isProductCaller(caller) ? 'product key' : `gateway ${caller.id}`;
    return { device, actor: `device:${device.id} (${by})` };
  }

  const waiting = (record: UpgradeRecord) =>
    record.state.confirmation === 'awaiting' && record.state.status === 'pending';

  app.get(
    '/device/v1/confirmations',
    {
      schema: {
        tags,
        security,
        summary: 'The upgrades of manual plans waiting for this device (or sub-device) to confirm',
        description:
          'Authorization: the OneNET token of docs/device-http.md. A gateway names one of its own sub-devices with dev_id. errno 1: bad token or not your device.',
        headers: Headers,
        querystring: DeviceQuery,
        response: { 200: Envelope({ items: Type.Array(PendingItem) }) },
      },
    },
    async (request, reply) => {
      const found = await deviceOf(request, reply);
      if (!found) return reply;
      const { device } = found;
      const items = [];
      for (const record of await plans.activeUpgradesOfDevice(device.id)) {
        if (!waiting(record)) continue;
        const { spec, name } = await plans.getPlan(record.planId);
        items.push({
          upgradeId: record.id,
          planId: record.planId,
          plan: name,
          module: record.module,
          target: spec.firmware.targetVersion,
          type: spec.firmware.kind === 'delta' ? 2 : 1,
          since: seconds(record.state.createdAt),
          deadline: spec.deadline === null ? null : seconds(spec.deadline),
        });
      }
      return envelope(reply, succ, { items });
    },
  );

  for (const decision of ['confirm', 'reject'] as const) {
    app.post(
      `/device/v1/confirmations/:upgradeId/${decision}`,
      {
        schema: {
          tags,
          security,
          summary: `${decision === 'confirm' ? 'Confirm' : 'Reject'} an upgrade of a manual plan waiting for this device`,
          description: `${
            decision === 'confirm'
              ? 'The upgrade is then pushed or offered at the next check, as the plan dispatches.'
              : 'The upgrade ends in failure with reason rejected (an operator may retry it).'
          } errno 11: no such upgrade for this device; 17: not a manual upgrade or not in a state that takes it; 20/22: finished/cancelled.`,
          headers: Headers,
          querystring: DeviceQuery,
          params: UpgradeParams,
          response: { 200: Envelope() },
        },
      },
      async (request, reply) => {
        const found = await deviceOf(request, reply);
        if (!found) return reply;
        const { device, actor } = found;
        const upgradeId = Number((request.params as Static<typeof UpgradeParams>).upgradeId);
        const active = await plans.activeUpgradesOfDevice(device.id);
        const record = active.find((r) => r.id === upgradeId);
        if (!record) return envelope(reply, noSuchUpgrade);
        if (record.state.confirmation === 'none') return envelope(reply, notManual);
        const type = decision === 'confirm' ? 'confirmed' : 'rejected';
        const [outcome] = await upgrades.reportDeviceEvents([
          { deviceId: device.id, module: record.module, event: { type, actor } },
        ]);
        if (!outcome || outcome.upgradeId !== upgradeId) return envelope(reply, noSuchUpgrade);
        if (outcome.accepted) return envelope(reply, succ);
        if (outcome.refusal === 'finished') {
          return envelope(
            reply,
            outcome.status === 'cancelled'
              ? { errno: 22, error: 'task cancelled' }
              : { errno: 20, error: 'task finished' },
          );
        }
        return envelope(reply, { errno: 17, error: `invalid state: ${outcome.refusal ?? 'refused'}` });
      },
    );
  }
}

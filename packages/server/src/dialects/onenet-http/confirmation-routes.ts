// The routes of manual-plan confirmations for devices (docs/device-http.md, "Confirmations"),
// with their OpenAPI schemas. Authentication is OneNET's (Authorization token, `dev_id` for a
// sub-device or with a product key); answers are OneNET envelopes; handlers/confirmations.ts.
import { type TProperties, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { OneNetContext } from './context.ts';
import { useOneNetEnvelopes } from './envelope.ts';
import { decide, listConfirmations } from './handlers/confirmations.ts';

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
  texts: Type.Union([Type.Object({ zh: Type.String(), en: Type.String() }), Type.Null()], {
    description: "The plan's upgrade texts in Chinese and English",
  }),
  releaseNotes: Type.String({ description: "The release notes of the component's package" }),
});

export async function registerConfirmationRoutes(app: FastifyInstance, ctx: OneNetContext): Promise<void> {
  // The decisions take no body; whatever a device sends (often an unlabelled `{}`) is ignored.
  useOneNetEnvelopes(app, 'ignored');

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
    listConfirmations(ctx),
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
      decide(ctx, decision),
    );
  }
}

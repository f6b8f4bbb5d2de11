// Signed firmware (docs/signing.md): a product's signing keys (admins register, retire and revoke
// them), whether it requires signatures, and a package's signature (read it; sign a stored
// package with an offline signature). Uploads take the signature too (firmware-routes.ts).
import { type Static, Type } from '@sinclair/typebox';
import { UpdraftError } from '@updraft/core';
import type { FastifyInstance } from 'fastify';
import type { PackageSignature, SigningKey } from '../../../modules/signing/signing-store.ts';
import { keyStatuses } from '../../../modules/signing/signing-store.ts';
import type { RouteContext } from '../route-context.ts';
import { errorResponses, IdParams, iso, Timestamp } from '../schemas.ts';

const KeySchema = Type.Object({
  productId: Type.Integer(),
  keyId: Type.String({ description: 'First 8 bytes of the sha256 of the raw public key, hex' }),
  name: Type.String(),
  publicKey: Type.String({ description: 'The raw 32-byte Ed25519 public key, base64' }),
  status: Type.Union(keyStatuses.map((s) => Type.Literal(s))),
  validUntil: Type.Union([Timestamp, Type.Null()]),
  createdBy: Type.String(),
  createdAt: Timestamp,
  changedAt: Timestamp,
});
const ServerKeySchema = Type.Object({
  keyId: Type.String({ description: 'First 8 bytes of the sha256 of the raw public key, hex' }),
  publicKey: Type.String({ description: 'The raw 32-byte Ed25519 public key, base64' }),
});
const NewKey = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    publicKey: Type.String({
      minLength: 1,
      maxLength: 2000,
      description: 'Ed25519 public key: the raw 32 bytes in base64, or a PEM SPKI',
    }),
  },
  { additionalProperties: false },
);
const RetireBody = Type.Object(
  {
    validUntil: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
      description: "Until when the key's packages may still be planned; null: no longer",
    }),
  },
  { additionalProperties: false },
);
const KeyParams = Type.Object(
  { id: Type.Integer({ minimum: 1 }), keyId: Type.String({ pattern: '^[0-9a-f]{16}$' }) },
  { additionalProperties: false },
);
const Policy = Type.Object({ requireSignature: Type.Boolean() }, { additionalProperties: false });
const SignatureBody = Type.Object(
  {
    manifest: Type.String({ minLength: 1, maxLength: 4096, description: 'The signed manifest, as text' }),
    signature: Type.String({ minLength: 1, maxLength: 200, description: 'Ed25519 signature, base64' }),
  },
  { additionalProperties: false },
);
const SignatureState = Type.Object({
  state: Type.Union(
    ['unsigned', 'valid', 'retired', 'expired', 'revoked', 'unknown_key'].map((s) => Type.Literal(s)),
    {
      description:
        'valid: by an active key; retired: its key is retired, plannable until validUntil; expired, revoked: not plannable',
    },
  ),
  keyId: Type.Union([Type.String(), Type.Null()]),
  securityVersion: Type.Union([Type.Integer(), Type.Null()]),
  signedAt: Type.Union([Timestamp, Type.Null()]),
  manifest: Type.Union([Type.String(), Type.Null()]),
  signature: Type.Union([Type.String(), Type.Null()]),
});

const keyView = (k: SigningKey) => ({
  ...k,
  validUntil: iso(k.validUntil),
  createdAt: iso(k.createdAt)!,
  changedAt: iso(k.changedAt)!,
});
const signatureView = (state: string, s: PackageSignature | null) => ({
  state,
  keyId: s?.keyId ?? null,
  securityVersion: s?.securityVersion ?? null,
  signedAt: s ? iso(s.signedAt) : null,
  manifest: s?.manifest ?? null,
  signature: s?.signature ?? null,
});

export async function registerSigningRoutes(app: FastifyInstance, { services }: RouteContext) {
  const { signing, serverSigner, firmware } = services;
  const tags = ['signing'];

  app.get(
    '/products/:id/signing-keys',
    {
      config: { auth: 'viewer' },
      schema: {
        tags,
        summary: "List a product's signing keys",
        params: IdParams,
        response: { 200: Type.Array(KeySchema), ...errorResponses(404) },
      },
    },
    async (request) => (await signing.listKeys((request.params as Static<typeof IdParams>).id)).map(keyView),
  );

  app.post(
    '/products/:id/signing-keys',
    {
      config: { auth: 'admin' },
      schema: {
        tags,
        summary: 'Register a public key that signs firmware of the product',
        description:
          'Several keys may be active at once (rotation). The private key stays with you (`updraft sign`).',
        params: IdParams,
        body: NewKey,
        response: { 201: KeySchema, ...errorResponses(404, 409) },
      },
    },
    async (request, reply) => {
      const key = await signing.addKey(
        (request.params as Static<typeof IdParams>).id,
        request.body as Static<typeof NewKey>,
        request.principal!.name,
      );
      return reply.status(201).send(keyView(key));
    },
  );

  app.get(
    '/signing/server-key',
    {
      config: { auth: 'viewer' },
      schema: {
        tags,
        summary: "The server-held signing key's id and public key (UPDRAFT_SIGNING_KEY_FILE)",
        description: '409 SIGNING_KEY_NOT_CONFIGURED when the server holds no signing key.',
        response: { 200: ServerKeySchema, ...errorResponses(409) },
      },
    },
    async () => serverSigner.requireKey(),
  );

  app.post(
    '/products/:id/signing-keys/server',
    {
      config: { auth: 'admin' },
      schema: {
        tags,
        summary:
          'Register the server-held key with the product: the server signs its unsigned uploads and online deltas',
        description:
          'Retire or revoke the key like any other to stop it. 409 SIGNING_KEY_NOT_CONFIGURED without UPDRAFT_SIGNING_KEY_FILE.',
        params: IdParams,
        response: { 201: KeySchema, ...errorResponses(404, 409) },
      },
    },
    async (request, reply) => {
      const key = await serverSigner.register(
        (request.params as Static<typeof IdParams>).id,
        request.principal!.name,
      );
      return reply.status(201).send(keyView(key));
    },
  );

  app.post(
    '/products/:id/signing-keys/:keyId/retire',
    {
      config: { auth: 'admin' },
      schema: {
        tags,
        summary: 'Retire a signing key: it signs nothing new; its packages stay plannable until validUntil',
        params: KeyParams,
        body: RetireBody,
        response: { 200: KeySchema, ...errorResponses(404, 409) },
      },
    },
    async (request) => {
      const { id, keyId } = request.params as Static<typeof KeyParams>;
      const { validUntil } = request.body as Static<typeof RetireBody>;
      const until = validUntil === null ? null : Date.parse(validUntil);
      if (until !== null && Number.isNaN(until)) {
        throw new UpdraftError('VALIDATION_FAILED', 'validUntil is an ISO 8601 time', {
          field: 'validUntil',
        });
      }
      return keyView(await signing.retireKey(id, keyId, until));
    },
  );

  app.post(
    '/products/:id/signing-keys/:keyId/revoke',
    {
      config: { auth: 'admin' },
      schema: {
        tags,
        summary: 'Revoke a signing key: its packages can no longer be planned (running plans go on)',
        params: KeyParams,
        response: { 200: KeySchema, ...errorResponses(404) },
      },
    },
    async (request) => {
      const { id, keyId } = request.params as Static<typeof KeyParams>;
      return keyView(await signing.revokeKey(id, keyId));
    },
  );

  app.get(
    '/products/:id/signing',
    {
      config: { auth: 'viewer' },
      schema: {
        tags,
        summary: 'Whether the product requires signed firmware',
        params: IdParams,
        response: { 200: Policy, ...errorResponses(404) },
      },
    },
    async (request) => signing.policy((request.params as Static<typeof IdParams>).id),
  );

  app.put(
    '/products/:id/signing',
    {
      config: { auth: 'admin' },
      schema: {
        tags,
        summary: 'Require signed firmware for the product (uploads and plans), or not',
        params: IdParams,
        body: Policy,
        response: { 200: Policy, ...errorResponses(404) },
      },
    },
    async (request) =>
      signing.setPolicy(
        (request.params as Static<typeof IdParams>).id,
        (request.body as Static<typeof Policy>).requireSignature,
      ),
  );

  app.get(
    '/firmware/:id/signature',
    {
      config: { auth: 'viewer' },
      schema: {
        tags,
        summary: "A firmware package's signature and its state",
        params: IdParams,
        response: { 200: SignatureState, ...errorResponses(404) },
      },
    },
    async (request) => {
      const pkg = await firmware.getPackage((request.params as Static<typeof IdParams>).id);
      const { state, signature } = await signing.stateOf(pkg.productId, pkg.id);
      return signatureView(state, signature);
    },
  );

  app.put(
    '/firmware/:id/signature',
    {
      config: { auth: 'operator' },
      schema: {
        tags,
        summary: 'Sign a stored package with an offline signature (an online delta, an unsigned upload)',
        description:
          'Only while no plan uses the package. The manifest must name the package exactly (docs/signing.md).',
        params: IdParams,
        body: SignatureBody,
        response: { 200: SignatureState, ...errorResponses(404, 409) },
      },
    },
    async (request) => {
      const pkg = await firmware.getPackage((request.params as Static<typeof IdParams>).id);
      if (await firmware.isInUse(pkg.id)) {
        throw new UpdraftError(
          'FIRMWARE_IN_USE',
          `firmware package ${pkg.id} is used by a plan: its signature is fixed`,
          {
            id: pkg.id,
          },
        );
      }
      const { manifest, signature } = request.body as Static<typeof SignatureBody>;
      const signed = await signing.attach(pkg, manifest, signature);
      return signatureView('valid', signed);
    },
  );
}

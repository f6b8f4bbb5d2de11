// The modules of a product (its updatable parts: `default`, MCU firmware, module firmware), with
// OneNET's manufacturer and model codes of each (protocols.md §2.7).
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { moduleCodePattern, moduleNamePattern } from '../../../modules/catalog/catalog-service.ts';
import { moduleKinds, type ProductModule } from '../../../modules/catalog/catalog-store.ts';
import type { RouteContext } from '../route-context.ts';
import { errorResponses, IdParams, iso, PageQuery, pageOf, Timestamp } from '../schemas.ts';

const literals = <T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)));

const ModuleSchema = Type.Object({
  id: Type.Integer(),
  productId: Type.Integer(),
  name: Type.String(),
  kind: literals(moduleKinds),
  description: Type.String(),
  manufacturerCode: Type.String({
    description: "OneNET's manufacturer code of this module (protocols.md §2.7, e.g. 101); '' when unset",
  }),
  modelCode: Type.String({ description: "OneNET's model code of this module (e.g. 10101); '' when unset" }),
  createdAt: Timestamp,
});

const moduleCode = (what: string) =>
  Type.String({
    pattern: moduleCodePattern.source,
    description: `OneNET's ${what} code of the module; OneNET checks claiming another fail with errno 8 ('' compares nothing)`,
  });

const NewModuleBody = Type.Object(
  {
    name: Type.String({
      pattern: moduleNamePattern.source,
      description: '1 to 32 of letters, digits, ., - or _',
    }),
    kind: Type.Optional(literals(moduleKinds)),
    description: Type.Optional(Type.String({ maxLength: 1000 })),
    manufacturerCode: Type.Optional(moduleCode('manufacturer')),
    modelCode: Type.Optional(moduleCode('model')),
  },
  { additionalProperties: false },
);
const ModulePatchBody = Type.Object(
  {
    description: Type.Optional(Type.String({ maxLength: 1000 })),
    manufacturerCode: Type.Optional(moduleCode('manufacturer')),
    modelCode: Type.Optional(moduleCode('model')),
  },
  { additionalProperties: false, minProperties: 1 },
);
const ModuleQuery = Type.Object(
  { ...PageQuery, kind: Type.Optional(literals(moduleKinds)) },
  { additionalProperties: false },
);
const ModuleParams = Type.Object(
  { id: Type.Integer({ minimum: 1 }), name: Type.String() },
  { additionalProperties: false },
);

const moduleView = (m: ProductModule) => ({ ...m, createdAt: iso(m.createdAt) });

export async function registerModuleRoutes(app: FastifyInstance, { services, cursors }: RouteContext) {
  const { catalog } = services;
  const tags = ['products'];

  app.get(
    '/products/:id/modules',
    {
      config: { auth: 'viewer' },
      schema: {
        tags,
        summary: 'List the modules of a product',
        params: IdParams,
        querystring: ModuleQuery,
        response: { 200: pageOf(ModuleSchema), ...errorResponses(404) },
      },
    },
    async (request) => {
      const { id } = request.params as Static<typeof IdParams>;
      const { cursor, limit, ...filter } = request.query as Static<typeof ModuleQuery>;
      const scope = { ...filter, productId: id };
      const page = await catalog.pageModules(id, filter, {
        after: cursors.decode('/products/:id/modules', cursor, scope),
        limit: limit ?? 50,
      });
      return {
        items: page.items.map(moduleView),
        nextCursor: cursors.encode('/products/:id/modules', page.next, scope),
      };
    },
  );

  app.post(
    '/products/:id/modules',
    {
      config: { auth: 'operator' },
      schema: {
        tags,
        summary: 'Add a module (MCU firmware, module firmware) to a product',
        params: IdParams,
        body: NewModuleBody,
        response: { 201: ModuleSchema, ...errorResponses(404, 409) },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(
          moduleView(
            await catalog.addModule(
              (request.params as Static<typeof IdParams>).id,
              request.body as Static<typeof NewModuleBody>,
            ),
          ),
        ),
  );

  app.patch(
    '/products/:id/modules/:name',
    {
      config: { auth: 'operator' },
      schema: {
        tags,
        summary: "Change a module's description or its OneNET manufacturer and model codes",
        params: ModuleParams,
        body: ModulePatchBody,
        response: { 200: ModuleSchema, ...errorResponses(404) },
      },
    },
    async (request) => {
      const { id, name } = request.params as Static<typeof ModuleParams>;
      return moduleView(await catalog.updateModule(id, name, request.body as Static<typeof ModulePatchBody>));
    },
  );

  app.delete(
    '/products/:id/modules/:name',
    {
      config: { auth: 'operator' },
      schema: {
        tags,
        summary: 'Remove a module',
        params: ModuleParams,
        response: { 204: Type.Null(), ...errorResponses(404, 409) },
      },
    },
    async (request, reply) => {
      const { id, name } = request.params as Static<typeof ModuleParams>;
      await catalog.deleteModule(id, name);
      return reply.status(204).send();
    },
  );
}

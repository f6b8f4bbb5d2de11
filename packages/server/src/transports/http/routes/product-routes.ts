// Products (their modules: module-routes.ts).
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { productKeyPattern } from '../../../modules/catalog/catalog-service.ts';
import {
  deviceProtocols,
  nodeTypes,
  type Product,
  signMethods,
} from '../../../modules/catalog/catalog-store.ts';
import type { RouteContext } from '../route-context.ts';
import { errorResponses, IdParams, iso, PageQuery, pageOf, Timestamp } from '../schemas.ts';

const literals = <T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)));

export const ProductSchema = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  productKey: Type.String(),
  manufacturer: Type.String(),
  model: Type.String(),
  nodeType: literals(nodeTypes),
  protocols: Type.Array(literals(deviceProtocols)),
  description: Type.String(),
  signMethod: literals(signMethods),
  productKeyAuth: Type.Boolean({
    description:
      "OneNET's product-level key is on: devices may sign with res=products/{pid} and the product's access key",
  }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

const productFields = {
  name: Type.String({ minLength: 1, maxLength: 100 }),
  manufacturer: Type.Optional(
    Type.String({ maxLength: 100, description: "Descriptive; OneNET's codes are the modules'" }),
  ),
  model: Type.Optional(
    Type.String({ maxLength: 100, description: "Descriptive; OneNET's codes are the modules'" }),
  ),
  nodeType: Type.Optional(literals(nodeTypes)),
  protocols: Type.Optional(
    Type.Array(literals(deviceProtocols), {
      minItems: 1,
      maxItems: deviceProtocols.length,
      description:
        'What its devices speak; pushes go only there. mqtt: ThingsPanel v0.5 topics; thingspanel-v1: ThingsPanel v1 topics; thingspanel-v1-infrom (with thingspanel-v1): v1 pushes on the typo topic ota/devices/infrom/{username} too; quectel: QuecThing binary OTA on q/1/d/{clientId}/ota; lwm2m: LwM2M Object 5 over CoAP (docs/lwm2m.md)',
    }),
  ),
  description: Type.Optional(Type.String({ maxLength: 1000 })),
  signMethod: Type.Optional(literals(signMethods)),
};
const NewProductBody = Type.Object(
  {
    ...productFields,
    productKey: Type.Optional(
      Type.String({
        pattern: productKeyPattern.source,
        description: '4 to 64 of letters, digits, - or _; generated when absent',
      }),
    ),
  },
  { additionalProperties: false },
);
const ProductPatchBody = Type.Object(
  { ...productFields, name: Type.Optional(productFields.name) },
  { additionalProperties: false, minProperties: 1 },
);
const ProductQuery = Type.Object(
  {
    ...PageQuery,
    q: Type.Optional(Type.String({ maxLength: 100 })),
    nodeType: Type.Optional(literals(nodeTypes)),
  },
  { additionalProperties: false },
);
export const productView = (p: Product) => ({
  ...p,
  createdAt: iso(p.createdAt),
  updatedAt: iso(p.updatedAt),
});

export async function registerProductRoutes(app: FastifyInstance, { services, cursors }: RouteContext) {
  const { catalog } = services;
  const tags = ['products'];

  app.get(
    '/products',
    {
      config: { auth: 'viewer' },
      schema: {
        tags,
        summary: 'List products',
        querystring: ProductQuery,
        response: { 200: pageOf(ProductSchema), ...errorResponses() },
      },
    },
    async (request) => {
      const { cursor, limit, ...filter } = request.query as Static<typeof ProductQuery>;
      const page = await catalog.listProducts(filter, {
        after: cursors.decode('/products', cursor, filter),
        limit: limit ?? 50,
      });
      return {
        items: page.items.map(productView),
        nextCursor: cursors.encode('/products', page.next, filter),
      };
    },
  );

  app.post(
    '/products',
    {
      config: { auth: 'operator' },
      schema: {
        tags,
        summary: 'Create a product (with its `default` module)',
        body: NewProductBody,
        response: { 201: ProductSchema, ...errorResponses(409) },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(productView(await catalog.createProduct(request.body as Static<typeof NewProductBody>))),
  );

  app.get(
    '/products/:id',
    {
      config: { auth: 'viewer' },
      schema: {
        tags,
        summary: 'Get a product',
        params: IdParams,
        response: { 200: ProductSchema, ...errorResponses(404) },
      },
    },
    async (request) => productView(await catalog.getProduct((request.params as Static<typeof IdParams>).id)),
  );

  app.patch(
    '/products/:id',
    {
      config: { auth: 'operator' },
      schema: {
        tags,
        summary: 'Change a product',
        params: IdParams,
        body: ProductPatchBody,
        response: { 200: ProductSchema, ...errorResponses(404) },
      },
    },
    async (request) =>
      productView(
        await catalog.updateProduct(
          (request.params as Static<typeof IdParams>).id,
          request.body as Static<typeof ProductPatchBody>,
        ),
      ),
  );

  app.delete(
    '/products/:id',
    {
      config: { auth: 'admin' },
      schema: {
        tags,
        summary: 'Delete a product that has no devices and no firmware',
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses(404, 409) },
      },
    },
    async (request, reply) => {
      await catalog.deleteProduct((request.params as Static<typeof IdParams>).id);
      return reply.status(204).send();
    },
  );

  app.post(
    '/products/:id/access-key',
    {
      config: { auth: 'admin' },
      schema: {
        tags,
        summary: "Turn on or replace the product's access key (OneNET product-level key)",
        description:
          'Devices of the product may then sign their Authorization with res=products/{productKey or id} ' +
          'and this key instead of their own, naming the device with dev_id (docs/device-http.md). The key is ' +
          'in this answer only; calling again replaces it and the old key stops working.',
        params: IdParams,
        response: {
          201: Type.Object({ product: ProductSchema, accessKey: Type.String() }),
          ...errorResponses(404),
        },
      },
    },
    async (request, reply) => {
      const { product, accessKey } = await catalog.rotateAccessKey(
        (request.params as Static<typeof IdParams>).id,
      );
      return reply.status(201).send({ product: productView(product), accessKey });
    },
  );

  app.delete(
    '/products/:id/access-key',
    {
      config: { auth: 'admin' },
      schema: {
        tags,
        summary: "Turn the product's access key off: devices sign with their own keys only",
        params: IdParams,
        response: { 200: ProductSchema, ...errorResponses(404) },
      },
    },
    async (request) =>
      productView(await catalog.removeAccessKey((request.params as Static<typeof IdParams>).id)),
  );
}

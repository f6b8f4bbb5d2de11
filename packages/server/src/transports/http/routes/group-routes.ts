// Static device groups and their members.
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { DeviceGroup } from '../../../modules/devices/device-store.ts';
import { type MemberSelection, maxMemberIds } from '../../../modules/devices/group-service.ts';
import type { RouteContext } from '../route-context.ts';
import { errorResponses, IdParams, iso, PageQuery, pageOf, Timestamp } from '../schemas.ts';
import { DeviceSchema, deviceFilterFields, deviceView, memberFilterFields } from './device-schemas.ts';

const GroupSchema = Type.Object({
  id: Type.Integer(),
  productId: Type.Integer(),
  name: Type.String(),
  description: Type.String(),
  createdAt: Timestamp,
});

const GroupDetailSchema = Type.Object({ ...GroupSchema.properties, members: Type.Integer() });

const NewGroupBody = Type.Object(
  {
    productId: Type.Integer({ minimum: 1 }),
    name: Type.String({ description: '1 to 64 characters, unique in the product' }),
    description: Type.Optional(Type.String({ maxLength: 1000 })),
  },
  { additionalProperties: false },
);

const GroupPatchBody = Type.Object(
  {
    name: Type.Optional(NewGroupBody.properties.name),
    description: Type.Optional(Type.String({ maxLength: 1000 })),
  },
  { additionalProperties: false, minProperties: 1 },
);

const GroupQuery = Type.Object(
  {
    ...PageQuery,
    productId: Type.Optional(Type.Integer({ minimum: 1 })),
    q: Type.Optional(Type.String({ maxLength: 64, description: 'Name contains' })),
  },
  { additionalProperties: false },
);
const MemberQuery = Type.Object(
  { ...PageQuery, ...memberFilterFields, gatewayId: deviceFilterFields.gatewayId },
  { additionalProperties: false },
);

const deviceIds = Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, maxItems: maxMemberIds });

const AddMembersBody = Type.Object(
  {
    deviceIds: Type.Optional(deviceIds),
    filter: Type.Optional(
      Type.Object(deviceFilterFields, {
        additionalProperties: false,
        description: 'The filters of GET /devices; every matching device of the group’s product is added',
      }),
    ),
  },
  { additionalProperties: false, minProperties: 1, maxProperties: 1, description: 'deviceIds or filter' },
);
const RemoveMembersBody = Type.Object({ deviceIds }, { additionalProperties: false });

const groupView = (g: DeviceGroup) => ({ ...g, createdAt: iso(g.createdAt) });

export async function registerGroupRoutes(app: FastifyInstance, { services, cursors }: RouteContext) {
  const { groups } = services;
  const tags = ['groups'];

  app.post(
    '/groups',
    {
      config: { auth: 'operator' },
      schema: {
        tags,
        summary: 'Create a static group of one product’s devices',
        body: NewGroupBody,
        response: { 201: GroupSchema, ...errorResponses(404, 409) },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(groupView(await groups.createGroup(request.body as Static<typeof NewGroupBody>))),
  );

  app.get(
    '/groups',
    {
      config: { auth: 'viewer' },
      schema: {
        tags,
        summary: 'List groups, each with its number of members',
        querystring: GroupQuery,
        response: { 200: pageOf(GroupDetailSchema), ...errorResponses() },
      },
    },
    async (request) => {
      const { cursor, limit, ...filter } = request.query as Static<typeof GroupQuery>;
      const page = await groups.listGroups(filter, {
        after: cursors.decode('/groups', cursor, filter),
        limit: limit ?? 50,
      });
      return {
        items: page.items.map((g) => ({ ...groupView(g), members: g.members })),
        nextCursor: cursors.encode('/groups', page.next, filter),
      };
    },
  );

  app.get(
    '/groups/:id',
    {
      config: { auth: 'viewer' },
      schema: {
        tags,
        summary: 'Get a group with its number of members',
        params: IdParams,
        response: { 200: GroupDetailSchema, ...errorResponses(404) },
      },
    },
    async (request) => {
      const { group, members } = await groups.getGroupDetail((request.params as Static<typeof IdParams>).id);
      return { ...groupView(group), members };
    },
  );

  app.patch(
    '/groups/:id',
    {
      config: { auth: 'operator' },
      schema: {
        tags,
        summary: 'Rename a group or change its description (its members stay)',
        params: IdParams,
        body: GroupPatchBody,
        response: { 200: GroupSchema, ...errorResponses(404, 409) },
      },
    },
    async (request) =>
      groupView(
        await groups.updateGroup(
          (request.params as Static<typeof IdParams>).id,
          request.body as Static<typeof GroupPatchBody>,
        ),
      ),
  );

  app.delete(
    '/groups/:id',
    {
      config: { auth: 'operator' },
      schema: {
        tags,
        summary: 'Delete a group (its devices stay)',
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses(404) },
      },
    },
    async (request, reply) => {
      await groups.deleteGroup((request.params as Static<typeof IdParams>).id);
      return reply.status(204).send();
    },
  );

  app.post(
    '/groups/:id/members',
    {
      config: { auth: 'operator' },
      schema: {
        tags,
        summary: `Add devices by id (at most ${maxMemberIds}) or by filter; members already there are skipped`,
        params: IdParams,
        body: AddMembersBody,
        response: { 200: Type.Object({ added: Type.Integer() }), ...errorResponses(404) },
      },
    },
    async (request) =>
      groups.addMembers((request.params as Static<typeof IdParams>).id, request.body as MemberSelection),
  );

  app.delete(
    '/groups/:id/members',
    {
      config: { auth: 'operator' },
      schema: {
        tags,
        summary: `Remove devices from a group by id (at most ${maxMemberIds})`,
        params: IdParams,
        body: RemoveMembersBody,
        response: { 200: Type.Object({ removed: Type.Integer() }), ...errorResponses(404) },
      },
    },
    async (request) =>
      groups.removeMembers(
        (request.params as Static<typeof IdParams>).id,
        (request.body as Static<typeof RemoveMembersBody>).deviceIds,
      ),
  );

  app.get(
    '/groups/:id/members',
    {
      config: { auth: 'viewer' },
      schema: {
        tags,
        summary: 'List the devices of a group, with the filters of GET /devices',
        params: IdParams,
        querystring: MemberQuery,
        response: { 200: pageOf(DeviceSchema), ...errorResponses(404) },
      },
    },
    async (request) => {
      const { id } = request.params as Static<typeof IdParams>;
      const { cursor, limit, ...filter } = request.query as Static<typeof MemberQuery>;
      const scope = { ...filter, groupId: id };
      const page = await groups.listMembers(id, filter, {
        after: cursors.decode('/groups/:id/members', cursor, scope),
        limit: limit ?? 50,
      });
      return {
        items: page.items.map(deviceView),
        nextCursor: cursors.encode('/groups/:id/members', page.next, scope),
      };
    },
  );
}

// The device schemas the device and group routes share: a device as the API shows it, and the
// filters of a device list (also used to add matching devices to a group).
import { Type } from '@sinclair/typebox';
import type { Device } from '../../../modules/devices/device-store.ts';
import { iso, Timestamp } from '../schemas.ts';

export const DeviceSchema = Type.Object({
  id: Type.Integer(),
  productId: Type.Integer(),
  name: Type.String(),
  gatewayId: Type.Union([Type.Integer(), Type.Null()]),
  online: Type.Boolean(),
  lastSeenAt: Type.Union([Timestamp, Type.Null()]),
  signal: Type.Union([Type.Integer({ description: 'dBm' }), Type.Null()]),
  battery: Type.Union([Type.Integer({ description: 'percent' }), Type.Null()]),
  freeSpace: Type.Union([
    Type.Integer({ description: 'bytes free for an upgrade, as the device last reported' }),
    Type.Null(),
  ]),
  tags: Type.Array(Type.String()),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

/** The filters of a device list, also used to add the matching devices to a group. */
export const deviceFilterFields = {
  productId: Type.Optional(Type.Integer({ minimum: 1 })),
  q: Type.Optional(Type.String({ maxLength: 64, description: 'Name contains' })),
  module: Type.Optional(
    Type.String({ maxLength: 32, description: 'Module of `version` (default: default)' }),
  ),
  version: Type.Optional(Type.String({ maxLength: 50, description: 'Reported version of `module`' })),
  groupId: Type.Optional(Type.Integer({ minimum: 1 })),
  tag: Type.Optional(Type.String({ maxLength: 32 })),
  online: Type.Optional(Type.Boolean()),
  gatewayId: Type.Optional(Type.Integer({ minimum: 1 })),
};

/** The filters of a list already scoped to a group or a gateway. */
export const memberFilterFields = {
  q: deviceFilterFields.q,
  module: deviceFilterFields.module,
  version: deviceFilterFields.version,
  tag: deviceFilterFields.tag,
  online: deviceFilterFields.online,
};

export const deviceView = (d: Device) => ({
  ...d,
  lastSeenAt: iso(d.lastSeenAt),
  createdAt: iso(d.createdAt),
  updatedAt: iso(d.updatedAt),
});

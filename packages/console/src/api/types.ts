// Names for the generated schema's bodies, so pages read `Product` rather than a path lookup.
import type { paths } from './schema.d.ts';

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;
type Ok<P extends keyof paths, M extends 'get' | 'post'> = paths[P][M] extends {
  responses: { 200: infer R } | { 201: infer R };
}
  ? Json<R>
  : never;

export type Me = Ok<'/api/v1/auth/me', 'get'>;
export type Role = Me['role'];
export type Product = Ok<'/api/v1/products/{id}', 'get'>;
export type ProductModule = Ok<'/api/v1/products/{id}/modules', 'post'>;
export type FirmwarePackage = Ok<'/api/v1/firmware/{id}', 'get'>;
export type Device = Ok<'/api/v1/products/{id}/devices', 'post'>['device'];
export type Group = NonNullable<Ok<'/api/v1/groups', 'get'>>['items'][number];
export type User = Ok<'/api/v1/users', 'post'>;
export type ApiKey = Ok<'/api/v1/api-keys', 'post'>['key'];
export type EndUserToken = NonNullable<Ok<'/api/v1/enduser-tokens', 'get'>>['items'][number];
export type ProductInput = NonNullable<
  paths['/api/v1/products']['post']['requestBody']
>['content']['application/json'];
export type DeviceListItem = NonNullable<Ok<'/api/v1/devices', 'get'>>['items'][number];
export type DeviceQuery = NonNullable<paths['/api/v1/devices']['get']['parameters']['query']>;
export type Plan = NonNullable<Ok<'/api/v1/plans', 'get'>>['items'][number];
export type PlanInput = NonNullable<
  paths['/api/v1/plans']['post']['requestBody']
>['content']['application/json'];
export type PlanDetail = Ok<'/api/v1/plans/{id}', 'get'>;
export type PlanReport = Ok<'/api/v1/plans/{id}/report', 'get'>;
export type DeviceUpgrade = NonNullable<Ok<'/api/v1/plans/{id}/upgrades', 'get'>>['items'][number];
export type DeviceUpgradeWithLog = Ok<'/api/v1/device-upgrades/{id}', 'get'>;
export type UpgradeStatus = DeviceUpgrade['status'];
export type DeltaJob = Ok<'/api/v1/delta-jobs/{id}', 'get'>;
export type DeviceDetail = Ok<'/api/v1/devices/{id}', 'get'>;
export type Webhook = NonNullable<Ok<'/api/v1/webhooks', 'get'>>['items'][number];
export type WebhookDelivery = NonNullable<Ok<'/api/v1/webhooks/{id}/deliveries', 'get'>>['items'][number];
export type PlanTargets = Ok<'/api/v1/plans/{id}/targets', 'get'>;
export type PlanTargetsInput = NonNullable<
  paths['/api/v1/plans/targets']['post']['requestBody']
>['content']['application/json'];
export type AuditEntry = NonNullable<Ok<'/api/v1/audit-log', 'get'>>['items'][number];
export type AuditQuery = NonNullable<paths['/api/v1/audit-log']['get']['parameters']['query']>;
export type SigningKey = NonNullable<Ok<'/api/v1/products/{id}/signing-keys', 'get'>>[number];
export type SignatureState = Ok<'/api/v1/firmware/{id}/signature', 'get'>;

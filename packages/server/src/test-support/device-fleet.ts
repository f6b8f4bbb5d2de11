// Test support for the device API: a product with devices (and a gateway with a sub-device), a
// firmware package, a running plan, and an app listening on a loopback port.
import type { AddressInfo } from 'node:net';
import { createOneNetToken } from '@updraft/protocol';
import { createTestApp, type TestApp } from './test-app.ts';

/** Upgrade texts for the manual plans of tests. */
export const testTexts = { zh: '修复了一些问题', en: 'Fixes some problems' };

export interface TestDevice {
  id: number;
  name: string;
  secret: string;
  /** products/{productKey}/devices/{name} */
  res: string;
}

export interface DeviceFleet {
  t: TestApp;
  base: string;
  productKey: string;
  productId: number;
  /** The products of the gateway and of its sub-device. */
  gatewayProductId: number;
  subProductId: number;
  firmware: Buffer;
  packageId: number;
  planId: number;
  /** The plan of the gateway's sub-device product. */
  subPlanId: number;
  devices: TestDevice[];
  gateway: TestDevice;
  sub: TestDevice;
  /** A valid OneNET Authorization header for the device, one hour ahead of the app's clock. */
  auth(device: TestDevice, method?: 'md5' | 'sha1' | 'sha256'): string;
  close(): Promise<void>;
}

/** A firmware upload form: the fields, then each file in order. */
export function firmwareForm(
  version: string,
  files: readonly { name: string; content: Buffer }[],
  fields: Record<string, string> = {},
) {
  const boundary = 'device-api-test';
  const field = (key: string, value: string) =>
    `--${boundary}\r\nContent-Disposition: form-data; name="${key}"\r\n\r\n${value}\r\n`;
  const payload = Buffer.concat([
    Buffer.from(
      Object.entries({ version, ...fields })
        .map(([key, value]) => field(key, value))
        .join(''),
    ),
    ...files.flatMap(({ name, content }) => [
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\n`),
      Buffer.from('Content-Type: application/octet-stream\r\n\r\n'),
      content,
      Buffer.from('\r\n'),
    ]),
    Buffer.from(`--${boundary}--\r\n`),
  ]);
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

const multipart = (version: string, name: string, content: Buffer, fields: Record<string, string> = {}) =>
  firmwareForm(version, [{ name, content }], fields);

export async function createDeviceFleet(
  options: {
    count?: number;
    firmwareBytes?: number;
    settings?: Record<string, unknown>;
    plan?: Record<string, unknown>;
    /** More form fields of the firmware upload, e.g. `{ type: 'delta', sourceVersion: '1.0' }`. */
    firmwareFields?: Record<string, string>;
    /** Files 2.. of the package (file 1 is `firmware`, named `app.bin`). */
    moreFiles?: readonly { name: string; content: Buffer }[];
  } = {},
): Promise<DeviceFleet> {
  const t = await createTestApp({ firmwareMaxFileBytes: 64 * 1024 * 1024, ...options.settings });
  const admin = t.admin;
  const product = (await admin.post('/api/v1/products', { name: 'Meter' })).json();
  const productKey: string = product.productKey;
  const register = async (productId: number, key: string, body: Record<string, unknown>) => {
    const res = await admin.post(`/api/v1/products/${productId}/devices`, body);
    if (res.statusCode !== 201) throw new Error(res.body);
    const { device, secret } = res.json();
    return { id: device.id, name: device.name, secret, res: `products/${key}/devices/${device.name}` };
  };
  const devices: TestDevice[] = [];
  for (let i = 0; i < (options.count ?? 3); i++) {
    devices.push(await register(product.id, productKey, { name: `m-${i}`, versions: { default: '1.0' } }));
  }
  const gwProduct = (await admin.post('/api/v1/products', { name: 'Gateway', nodeType: 'gateway' })).json();
  const subProduct = (await admin.post('/api/v1/products', { name: 'Sensor', nodeType: 'subdevice' })).json();
  const gateway = await register(gwProduct.id, gwProduct.productKey, { name: 'gw-1' });
  const sub = await register(subProduct.id, subProduct.productKey, {
    name: 's-1',
    gatewayId: gateway.id,
    versions: { default: '1.0' },
  });

  const size = options.firmwareBytes ?? 300_000;
  const firmware = Buffer.alloc(size);
  for (let i = 0; i < size; i++) firmware[i] = (i * 7919 + (i >> 8)) & 0xff;
  const upload = await admin.request({
    method: 'POST',
    url: `/api/v1/products/${product.id}/firmware`,
    ...firmwareForm(
      '2.0',
      [{ name: 'app.bin', content: firmware }, ...(options.moreFiles ?? [])],
      options.firmwareFields,
    ),
  });
  if (upload.statusCode !== 201) throw new Error(upload.body);
  const packageId: number = upload.json().id;
  const plans = t.app.services.plans;
  const plan = await plans.createPlan(
    {
      name: 'rollout',
      productId: product.id,
      firmwarePackageId: packageId,
      target: { kind: 'all' },
      // A manual plan needs its upgrade texts.
      ...(options.plan?.['mode'] === 'manual' && { texts: testTexts }),
      ...options.plan,
    },
    'test',
  );
  await plans.publish(plan.id, 'test');
  // Sub-device plan too, so the gateway rules can be exercised with a real upgrade.
  const subUpload = await admin.request({
    method: 'POST',
    url: `/api/v1/products/${subProduct.id}/firmware`,
    ...multipart('2.0', 'sensor.bin', firmware.subarray(0, 1000)),
  });
  const subPlan = await plans.createPlan(
    {
      name: 'sensors',
      productId: subProduct.id,
      firmwarePackageId: subUpload.json().id,
      target: { kind: 'all' },
    },
    'test',
  );
  await plans.publish(subPlan.id, 'test');
  await t.app.scheduler.stop();
  for (const id of [plan.id, subPlan.id]) await plans.tickPlan(id, 'test', 60_000);

  await t.app.http.listen({ host: '127.0.0.1', port: 0 });
  const { port } = t.app.http.server.address() as AddressInfo;
  return {
    t,
    base: `http://127.0.0.1:${port}`,
    productKey,
    productId: product.id,
    gatewayProductId: gwProduct.id,
    subProductId: subProduct.id,
    firmware,
    packageId,
    planId: plan.id,
    subPlanId: subPlan.id,
    devices,
    gateway,
    sub,
    auth: (device, method = 'sha256') =>
      createOneNetToken(device.secret, device.res, Math.floor(t.clock.now() / 1000) + 3600, method),
    close: () => t.close(),
  };
}

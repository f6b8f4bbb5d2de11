// What the console's browser tests start from when their subject is not how it was made: the
// "Smart meter" product (a module `mcu` with its OneNET codes), its firmware 1.0.1 ("Spring
// build"), devices registered through the API, simulated devices (the SDK over HTTP, in the test
// process), and a plan those devices ran to its end.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createDevice } from '@updraft/sdk';
import type { Page } from 'playwright-core';
import type { ConsoleHarness } from './console-browser.ts';

export interface MeterFleet {
  productId: number;
  productKey: string;
  /** Firmware 1.0.1 of module `default`. */
  packageId: number;
  /** Device ids and secrets by name. */
  deviceIds: Map<string, number>;
  secrets: Map<string, string>;
}

/** An admin API call on the harness's server (inject: nothing goes over the network). */
export async function callApi(h: ConsoleHarness, method: string, url: string, payload?: unknown) {
  return h.app.http.inject({
    method: method as 'GET',
    url,
    headers: h.headers,
    ...(payload !== undefined && { payload: payload as object }),
  });
}

/** Uploads a one-file package; returns its id. */
export async function uploadFirmware(
  h: ConsoleHarness,
  productId: number,
  fields: Record<string, string>,
  file: Buffer,
): Promise<number> {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) form.set(key, value);
  form.set('file', new Blob([new Uint8Array(file)]), 'meter.bin');
  const answer = await fetch(`${h.base}/api/v1/products/${productId}/firmware`, {
    method: 'POST',
    headers: h.headers,
    body: form,
  });
  const body = await answer.text();
  assert.equal(answer.status, 201, body);
  return (JSON.parse(body) as { id: number }).id;
}

/** Registers `name` (running `versions`) in the fleet's product. */
export async function registerDevice(
  h: ConsoleHarness,
  fleet: MeterFleet,
  name: string,
  versions: Record<string, string> = { default: '1.0' },
): Promise<number> {
  const answer = await callApi(h, 'POST', `/api/v1/products/${fleet.productId}/devices`, { name, versions });
  assert.equal(answer.statusCode, 201, answer.body);
  fleet.deviceIds.set(name, answer.json().device.id);
  fleet.secrets.set(name, answer.json().secret);
  return answer.json().device.id;
}

/** The Smart meter product, its module `mcu` (codes 101 / 10201), firmware 1.0.1 and `devices`. */
export async function createMeterFleet(h: ConsoleHarness, devices: readonly string[]): Promise<MeterFleet> {
  const product = await callApi(h, 'POST', '/api/v1/products', { name: 'Smart meter' });
  assert.equal(product.statusCode, 201, product.body);
  const productId = product.json().id as number;
  const module = await callApi(h, 'POST', `/api/v1/products/${productId}/modules`, {
    name: 'mcu',
    manufacturerCode: '101',
    modelCode: '10201',
  });
  assert.equal(module.statusCode, 201, module.body);
  const packageId = await uploadFirmware(
    h,
    productId,
    { version: '1.0.1', name: 'Spring build', remark: 'for the pilot meters' },
    Buffer.alloc(64 * 1024, 7),
  );
  const fleet: MeterFleet = {
    productId,
    productKey: product.json().productKey,
    packageId,
    deviceIds: new Map(),
    secrets: new Map(),
  };
  for (const name of devices) await registerDevice(h, fleet, name);
  return fleet;
}

/** A simulated device (the SDK over HTTP) that checks once and installs, or fails to. */
export async function runDevice(
  h: ConsoleHarness,
  fleet: MeterFleet,
  name: string,
  install: () => Promise<void> = async () => {},
) {
  const device = createDevice({
    server: h.base,
    transport: 'http',
    credentials: { productKey: fleet.productKey, name, secret: fleet.secrets.get(name)! },
    stateDir: join(h.dataDir, 'devices', name),
    modules: { default: { version: '1.0', install } },
    telemetry: () => ({ signal: -71, battery: 88 }),
  });
  try {
    return await device.start();
  } finally {
    await device.stop();
  }
}

/** "Spring rollout": firmware 1.0.1 to `devices`, published and run by each to success; its id. */
export async function finishSpringRollout(
  h: ConsoleHarness,
  fleet: MeterFleet,
  devices: readonly string[],
): Promise<number> {
  const plan = await callApi(h, 'POST', '/api/v1/plans', {
    name: 'Spring rollout',
    productId: fleet.productId,
    firmwarePackageId: fleet.packageId,
    target: { kind: 'devices', deviceIds: devices.map((name) => fleet.deviceIds.get(name)) },
  });
  assert.equal(plan.statusCode, 201, plan.body);
  const published = await callApi(h, 'POST', `/api/v1/plans/${plan.json().id}/publish`, {});
  assert.equal(published.json().status, 'running', published.body);
  for (const name of devices) assert.equal((await runDevice(h, fleet, name))[0]?.outcome, 'success');
  return plan.json().id;
}

/** Waits until the plan page's statistic `title` shows `value`. */
export async function waitForCount(page: Page, title: string, value: number): Promise<void> {
  await page
    .locator('.ant-statistic')
    .filter({ hasText: new RegExp(`^${title}${value}$`) })
    .waitFor();
}

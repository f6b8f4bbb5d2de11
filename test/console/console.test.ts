// The web console in a real browser (Debian's chromium through playwright-core) against a real
// server on loopback: sign in, create a product and a module, upload firmware, register a device,
// create and publish a plan through the form, watch SDK devices reach Success and one Failure,
// retry it, switch to Chinese, and a viewer who is not offered what they may not do.
// Screenshots go to .test-output/screenshots/.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createDevice } from '@updraft/sdk';
import { type App, buildApp, loadConfig } from '@updraft/server';
import { type Browser, chromium, type Page } from 'playwright-core';

const root = join(import.meta.dirname, '..', '..');
const chromiumPath = '/usr/bin/chromium';
const screenshots = join(root, '.test-output', 'screenshots');
const adminPassword = 'console-admin-password';
const viewerPassword = 'console-viewer-password';

function skipReason(): string | undefined {
  if (process.env['UPDRAFT_TEST_DB'] === 'postgres') return 'the console test runs in the SQLite pass only';
  if (existsSync(chromiumPath)) return undefined;
  const message = `${chromiumPath} is missing: apt-get install -y chromium (.ci/run does)`;
  if (process.env['CI'] === 'true') throw new Error(message);
  return message;
}

const skip = skipReason();

describe('the web console', { skip, timeout: 180_000 }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'updraft-console-'));
  let app: App;
  let base: string;
  let browser: Browser;
  let page: Page;
  let headers: Record<string, string>;
  let productKey: string;
  const secrets = new Map<string, string>();
  let planUrl: string;

  /** A simulated device (the SDK over HTTP) that checks once and installs, or fails to. */
  async function runDevice(name: string, install: () => Promise<void>) {
    const device = createDevice({
      server: base,
      transport: 'http',
      credentials: { productKey, name, secret: secrets.get(name)! },
      stateDir: join(dataDir, 'devices', name),
      modules: { default: { version: '1.0', install } },
      telemetry: () => ({ signal: -71, battery: 88 }),
    });
    try {
      return await device.start();
    } finally {
      await device.stop();
    }
  }

  /** Waits until the plan page's statistic `title` shows `value`. */
  async function waitForCount(target: Page, title: string, value: number): Promise<void> {
    await target
      .locator('.ant-statistic')
      .filter({ hasText: new RegExp(`^${title}${value}$`) })
      .waitFor();
  }

  async function shoot(name: string, target: Page = page): Promise<void> {
    await target.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });
  }

  async function signIn(target: Page, username: string, password: string): Promise<void> {
    await target.goto(base);
    await target.getByLabel('Username').fill(username);
    await target.getByLabel('Password').fill(password);
    await target.getByRole('button', { name: 'Sign in' }).click();
    await target.getByRole('heading', { name: 'Overview' }).waitFor();
  }

  before(async () => {
    const build = spawnSync(process.execPath, [join(root, 'packages/console/scripts/build-if-stale.ts')], {
      encoding: 'utf8',
    });
    assert.equal(build.status, 0, `console build failed:\n${build.stdout}\n${build.stderr}`);
    mkdirSync(screenshots, { recursive: true });
    app = await buildApp(loadConfig({}, { dataDir, logLevel: 'silent', adminPassword }));
    await app.services.accounts.createUser({ username: 'vera', password: viewerPassword, role: 'viewer' });
    await app.http.listen({ host: '127.0.0.1', port: 0 });
    const address = app.http.server.address();
    assert.ok(address && typeof address === 'object');
    base = `http://127.0.0.1:${address.port}`;
    const key = await app.services.accounts.createApiKey(null, { name: 'console test', role: 'admin' });
    headers = { authorization: `Bearer ${key.secret}` };
    browser = await chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
    // Every wait is for something the page shows within a few polls; fail fast otherwise.
    page.setDefaultTimeout(10_000);
  });

  after(async () => {
    await browser?.close();
    await app?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('is served at / with the index page for console paths, and JSON 404s elsewhere', async () => {
    for (const path of ['/', '/products/42']) {
      const answer = await fetch(base + path);
      assert.equal(answer.status, 200, path);
      assert.match(answer.headers.get('content-type') ?? '', /text\/html/);
      assert.match(await answer.text(), /<div id="root">/);
    }
    const api = await fetch(`${base}/api/v1/nothing-here`);
    assert.equal(api.status, 404);
    assert.equal(((await api.json()) as { code: string }).code, 'ROUTE_NOT_FOUND');
    assert.equal((await fetch(`${base}/assets/missing.js`)).status, 404);
  });

  it('signs an admin in and shows the overview', async () => {
    await signIn(page, 'admin', adminPassword);
    await page
      .locator('.ant-card', { hasText: 'Success rate per day' })
      .getByText(/No device upgrade has finished in the last 30 days\. Start a plan/)
      .waitFor();
    await shoot('overview');
  });

  it('creates a product, opens it and adds a module', async () => {
    await page.getByRole('menuitem', { name: 'Products' }).click();
    await page.getByRole('heading', { name: 'Products' }).waitFor();
    await shoot('products-empty');
    await page.getByRole('button', { name: 'Create product' }).first().click();
    const form = page.getByRole('dialog');
    await form.getByLabel('Name').fill('Smart meter');
    await form.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('link', { name: 'Smart meter' }).click();
    await page.getByRole('heading', { name: 'Smart meter' }).waitFor();
    await page.getByRole('button', { name: 'Add module' }).click();
    await page.getByRole('dialog').getByLabel('Module name').fill('mcu');
    await page.getByRole('dialog').getByRole('button', { name: 'Create' }).click();
    await page.getByRole('cell', { name: 'mcu', exact: true }).waitFor();
    await shoot('product-detail');
  });

  it('shows the server message when the API refuses a change', async () => {
    await page.getByRole('button', { name: 'Add module' }).click();
    await page.getByRole('dialog').getByLabel('Module name').fill('mcu');
    await page.getByRole('dialog').getByRole('button', { name: 'Create' }).click();
    const notice = page.locator('.ant-message-error');
    await notice.waitFor();
    assert.match((await notice.textContent()) ?? '', /mcu/);
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
  });

  it('uploads firmware with the fields first and lists it', async () => {
    await page.getByRole('menuitem', { name: 'Firmware' }).click();
    await page.getByRole('button', { name: 'Upload firmware' }).first().click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Product').click();
    await page.getByTitle('Smart meter').click();
    await dialog.getByLabel('Version').fill('1.0.1');
    await dialog.locator('input[type=file]').setInputFiles({
      name: 'meter.bin',
      mimeType: 'application/octet-stream',
      buffer: Buffer.alloc(64 * 1024, 7),
    });
    await shoot('firmware-upload');
    await dialog.getByRole('button', { name: 'Upload firmware' }).click();
    await page.getByRole('cell', { name: '1.0.1' }).waitFor();
    await page.getByRole('link', { name: 'meter.bin' }).waitFor();
    await shoot('firmware');
  });

  it('refuses a file type the server does not accept before sending it', async () => {
    await page.getByRole('button', { name: 'Upload firmware' }).first().click();
    await page
      .getByRole('dialog')
      .locator('input[type=file]')
      .setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
    await page.getByText('notes.txt: this file type is not accepted.').waitFor();
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
  });

  it('registers a device and shows its secret once', async () => {
    await page.getByRole('menuitem', { name: 'Devices' }).click();
    await page.getByRole('button', { name: 'Register device' }).first().click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Product').click();
    await page.getByTitle('Smart meter').click();
    await dialog.getByLabel('Name').fill('meter-0001');
    await dialog.getByRole('button', { name: 'Create' }).click();
    const secret = page.getByTestId('secret');
    await secret.waitFor();
    assert.ok(((await secret.textContent()) ?? '').length >= 16);
    await shoot('device-secret');
    await page.getByRole('button', { name: 'OK' }).click();
    await page.getByRole('cell', { name: 'meter-0001' }).waitFor();
    await shoot('devices');
  });

  it('creates a group and filters devices by it', async () => {
    await page.getByRole('menuitem', { name: 'Groups' }).click();
    await page.getByRole('button', { name: 'Create group' }).first().click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Product').click();
    await page.getByTitle('Smart meter').click();
    await dialog.getByLabel('Name').fill('north');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('cell', { name: 'north' }).waitFor();
    await shoot('groups');
    await page.getByRole('menuitem', { name: 'Devices' }).click();
    await page.getByRole('cell', { name: 'meter-0001' }).waitFor();
    await page.locator('.ant-select').filter({ hasText: 'Group' }).click();
    await page.getByTitle('north').click();
    await page.getByText('No devices match.').waitFor();
  });

  it('lists upgrade plans, with an empty state that says what to do first', async () => {
    await page.getByRole('menuitem', { name: 'Plans' }).click();
    await page.getByText('No upgrade plans yet.').waitFor();
    await shoot('plans-empty');
  });

  it('creates and publishes a plan through the form, with every field explained', async () => {
    const product = (await app.http.inject({ url: '/api/v1/products', headers })).json().items[0];
    productKey = product.productKey;
    for (const name of ['meter-0002', 'meter-0003', 'meter-0004']) {
      const registered = await app.http.inject({
        method: 'POST',
        url: `/api/v1/products/${product.id}/devices`,
        headers,
        payload: { name, versions: { default: '1.0' } },
      });
      assert.equal(registered.statusCode, 201, registered.body);
      secrets.set(name, registered.json().secret);
    }
    await page.getByRole('button', { name: 'Create plan' }).first().click();
    await page.getByRole('heading', { name: 'New upgrade plan' }).waitFor();
    await page.getByLabel('Name', { exact: true }).fill('Spring rollout');
    await page.getByLabel('Product').click();
    await page.getByTitle('Smart meter').click();
    await page.getByLabel('Firmware package').click();
    await page.getByTitle('default 1.0.1').click();
    await page.getByText('4 devices will be targeted (0 busy in another plan)').waitFor();
    await page.getByText('Pause the plan when more than this % of decided devices failed').waitFor();
    await page.locator('.ant-radio-button-wrapper', { hasText: 'List' }).click();
    const devices = page.getByLabel('Devices', { exact: true });
    for (const name of ['meter-0002', 'meter-0003', 'meter-0004']) {
      await devices.click();
      await devices.fill(name);
      await page.getByTitle(name, { exact: true }).click();
    }
    await page.keyboard.press('Escape');
    await page.getByText('3 devices will be targeted (0 busy in another plan)').waitFor();
    await shoot('plan-form');
    await page.getByRole('button', { name: 'Create and publish' }).click();
    await page.getByRole('heading', { name: /Spring rollout/ }).waitFor();
    await page.getByRole('heading', { name: /running/ }).waitFor();
    await waitForCount(page, 'Devices', 3);
    planUrl = page.url();
    await page.getByRole('menuitem', { name: 'Overview' }).click();
    await page
      .locator('.ant-card', { hasText: 'Active plans' })
      .getByRole('link', { name: 'Spring rollout' })
      .click();
    await waitForCount(page, 'Devices', 3);
  });

  it('shows devices reaching Success and one reaching Failure, live', async () => {
    assert.equal((await runDevice('meter-0002', async () => {}))[0]?.outcome, 'success');
    assert.equal((await runDevice('meter-0003', async () => {}))[0]?.outcome, 'success');
    const failed = await runDevice('meter-0004', async () => {
      throw new Error('flash is write-protected');
    });
    assert.equal(failed[0]?.outcome, 'failed');
    await waitForCount(page, 'Success', 2);
    await waitForCount(page, 'Failure', 1);
    await page.getByRole('heading', { name: /completed/ }).waitFor();
    await page.getByRole('cell', { name: 'failed on the device' }).first().waitFor();
    await shoot('plan');
  });

  it('shows a device log and retries the failed device until it succeeds', async () => {
    const row = page.getByRole('row', { name: /meter-0004/ });
    await row.getByRole('button', { name: 'meter-0004' }).click();
    const log = page.getByTestId('upgrade-log');
    await log.waitFor();
    assert.match((await log.textContent()) ?? '', /Failure/);
    await shoot('plan-device-log');
    await page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();
    await row.getByRole('button', { name: 'Retry' }).click();
    await page.getByText('meter-0004 retried').waitFor();
    await waitForCount(page, 'Failure', 0);
    await page.getByRole('heading', { name: /running/ }).waitFor();
    assert.equal((await runDevice('meter-0004', async () => {}))[0]?.outcome, 'success');
    await waitForCount(page, 'Success', 3);
    await page.getByRole('heading', { name: /completed/ }).waitFor();
    await page.getByRole('menuitem', { name: 'Plans' }).click();
    await page.getByRole('link', { name: 'Spring rollout' }).waitFor();
    await shoot('plans');
    await page.getByRole('menuitem', { name: 'Overview' }).click();
    const versions = page.locator('.ant-card', { hasText: 'Versions in the fleet' });
    await versions.getByText('default 1.0.1').waitFor();
    await page.getByText('No plan is running.').waitFor();
    const rate = page.locator('.ant-card', { hasText: 'Success rate per day' });
    await rate.getByText('Last 30 days (UTC): 3 succeeded, 0 failed, success rate 100%').waitFor();
    const chart = (await rate.getByTestId('success-rate-chart').textContent()) ?? '';
    assert.match(chart, /\d{4}-\d{2}-\d{2}: 3 succeeded, 0 failed \(100%\)/, 'the day the devices finished');
    await shoot('overview-fleet');
  });

  it('shows a device with its versions and its upgrade history with logs', async () => {
    await page.getByRole('menuitem', { name: 'Devices' }).click();
    await page.getByRole('link', { name: 'meter-0004' }).click();
    await page.getByRole('heading', { name: 'meter-0004' }).waitFor();
    await page.getByText('-71 dBm').waitFor();
    await page.getByText('88%').waitFor();
    const history = page.locator('.ant-card', { hasText: 'Upgrade history' });
    await history.getByRole('cell', { name: 'Success' }).waitFor();
    await history.getByRole('button', { name: 'Log' }).click();
    await page.getByTestId('upgrade-log').getByText('operator_retry').waitFor();
    await page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();
    await page.getByTestId('upgrade-log').waitFor({ state: 'hidden' });
    await shoot('device-detail');
  });

  it('adds devices to a group by filter and lists its members', async () => {
    await page.getByRole('menuitem', { name: 'Groups' }).click();
    const row = page.getByRole('row', { name: /north/ });
    await row.getByRole('button', { name: 'Add devices' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.locator('.ant-radio-button-wrapper', { hasText: 'By filter' }).click();
    await dialog.getByRole('textbox', { name: 'Name' }).fill('meter-000');
    await dialog.getByRole('button', { name: 'Add devices' }).click();
    await page.getByText('4 devices added to north').waitFor();
    await row.getByRole('button', { name: 'Members' }).click();
    await page.getByRole('heading', { name: 'Devices' }).waitFor();
    await page.getByRole('link', { name: 'meter-0003' }).waitFor();
    assert.equal(await page.getByRole('row').count(), 5, 'a header row and four members');
  });

  it('imports devices from CSV, with each refused line and its reason', async () => {
    await page.goto(`${base}/devices`);
    await page.getByRole('button', { name: 'Import from CSV' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Product').click();
    await page.getByTitle('Smart meter').click();
    await dialog.getByLabel('CSV').fill('name,tags\nimport-0101,north\nbad name!,\nimport-0102,\n');
    await dialog.getByRole('button', { name: 'Import' }).click();
    await dialog.getByText('2 devices created, 1 lines refused').waitFor();
    await dialog.getByRole('cell', { name: '3', exact: true }).waitFor();
    await dialog.getByRole('link', { name: 'Download secrets (CSV)' }).waitFor();
    await shoot('device-import');
    await dialog.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('link', { name: 'import-0102' }).waitFor();
  });

  it('starts a manual plan by hand, pauses, resumes, confirms a device and cancels the plan', async () => {
    await page.getByRole('menuitem', { name: 'Plans' }).click();
    await page.getByRole('button', { name: 'Create plan' }).first().click();
    await page.getByLabel('Name', { exact: true }).fill('By hand');
    await page.getByLabel('Product').click();
    await page.getByTitle('Smart meter').click();
    await page.getByLabel('Firmware package').click();
    await page.getByTitle('default 1.0.1').click();
    await page.locator('.ant-radio-button-wrapper', { hasText: 'List' }).click();
    const devices = page.getByLabel('Devices', { exact: true });
    await devices.click();
    await devices.fill('import-0101');
    await page.getByTitle('import-0101', { exact: true }).click();
    await page.keyboard.press('Escape');
    await page.getByRole('radio', { name: 'By hand' }).check();
    await page.getByRole('radio', { name: 'confirmed on the device' }).check();
    await page.getByRole('button', { name: 'Create and publish' }).click();
    await page.getByRole('heading', { name: /scheduled/ }).waitFor();
    await page.getByText('Publishing enrols 1 devices').waitFor();
    await page.getByText('Devices are enrolled when the plan starts').waitFor();
    for (const [action, status] of [
      ['Start', 'running'],
      ['Pause', 'paused'],
      ['Resume', 'running'],
    ] as const) {
      await page.getByRole('button', { name: action, exact: true }).click();
      await page.getByRole('heading', { name: new RegExp(status) }).waitFor();
    }
    await page.getByRole('button', { name: 'Confirm all awaiting' }).waitFor();
    const row = page.getByRole('row', { name: /import-0101/ });
    await row.getByText('awaiting confirmation').waitFor();
    await shoot('plan-manual');
    await row.getByRole('button', { name: 'Confirm', exact: true }).click();
    await page.getByText('import-0101 confirmed').waitFor();
    await row.getByText('awaiting confirmation').waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Cancel plan' }).click();
    await page.getByRole('tooltip').getByRole('button', { name: 'Cancel plan' }).click();
    await page.getByRole('heading', { name: /cancelled/ }).waitFor();
    await waitForCount(page, 'Cancelled', 1);
  });

  it('refuses a plan the server does not accept with its message, and keeps the form', async () => {
    await page.getByRole('menuitem', { name: 'Plans' }).click();
    await page.getByRole('button', { name: 'Create plan' }).first().click();
    await page.getByLabel('Name', { exact: true }).fill('Not a verification');
    await page.getByLabel('Product').click();
    await page.getByTitle('Smart meter').click();
    await page.getByLabel('Firmware package').click();
    await page.getByTitle('default 1.0.1').click();
    await page.getByLabel('Verification plan').click();
    await page.getByRole('button', { name: 'Create and publish' }).click();
    const notice = page.locator('.ant-message-error');
    await notice.waitFor();
    assert.match((await notice.textContent()) ?? '', /verification plan targets a list/);
    assert.ok(page.url().endsWith('/plans/new'), 'the form stays open');
  });

  it('generates a delta between two full packages with live progress, and offers verification', async () => {
    await page.getByRole('menuitem', { name: 'Firmware' }).click();
    await page.getByRole('button', { name: 'Upload firmware' }).first().click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Product').click();
    await page.getByTitle('Smart meter').click();
    await dialog.getByLabel('Version').fill('1.0.2');
    const image = Buffer.alloc(64 * 1024);
    for (let i = 0; i < image.length; i++) image[i] = (i * 7919) % 251;
    await dialog.locator('input[type=file]').setInputFiles({
      name: 'meter.bin',
      mimeType: 'application/octet-stream',
      buffer: image,
    });
    await dialog.getByRole('button', { name: 'Upload firmware' }).click();
    const row = page.getByRole('row', { name: /1\.0\.2/ });
    await row.getByRole('button', { name: 'Make delta' }).click();
    await page.getByRole('dialog').getByLabel('From version').click();
    await page.getByTitle('default 1.0.1').click();
    await page.getByRole('dialog').getByRole('button', { name: 'Make delta' }).click();
    const jobs = page.locator('.ant-card', { hasText: 'Delta jobs' });
    await jobs.getByText(/^(succeeded|not worthwhile: offer the full package)$/).waitFor();
    await jobs.getByRole('cell', { name: '1.0.1 → 1.0.2' }).waitFor();
    await shoot('firmware-deltas');
    await row.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { name: 'New upgrade plan' }).waitFor();
    assert.equal(await page.getByLabel('Verification plan').getAttribute('aria-checked'), 'true');
    await page.getByLabel('Devices', { exact: true }).waitFor();
  });

  it('switches to Chinese and remembers it', async () => {
    await page.getByText('中文').click();
    await page.getByRole('menuitem', { name: '产品' }).waitFor();
    await page.getByRole('menuitem', { name: '产品' }).click();
    await page.getByRole('button', { name: '创建产品' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: '产品' }).waitFor();
    await shoot('products-zh');
    await page.goto(planUrl);
    await waitForCount(page, '成功', 3);
    await shoot('plan-zh');
    await page.getByRole('menuitem', { name: '产品' }).click();
    await page.getByText('English').click();
    await page.getByRole('heading', { name: 'Products' }).waitFor();
  });

  it('shows the admin pages: API keys, users and webhooks', async () => {
    await page.getByRole('menuitem', { name: 'Settings' }).click();
    await page.getByRole('menuitem', { name: 'API keys' }).click();
    await page.getByRole('heading', { name: 'API keys' }).waitFor();
    await shoot('api-keys');
    await page.getByRole('menuitem', { name: 'Users' }).click();
    await page.getByRole('cell', { name: 'vera' }).waitFor();
    await shoot('users');
    await page.getByRole('menuitem', { name: 'Webhooks' }).click();
    await page.getByText('No webhooks.').waitFor();
    await page.getByRole('button', { name: 'Add webhook' }).first().click();
    await page.getByRole('dialog').getByLabel('URL').fill('https://hooks.example.com/updraft');
    await page.getByRole('dialog').getByRole('button', { name: 'Create' }).click();
    assert.ok(((await page.getByTestId('secret').textContent()) ?? '').length >= 16);
    await page.getByRole('button', { name: 'OK', exact: true }).click();
    await page.getByRole('cell', { name: 'https://hooks.example.com/updraft' }).waitFor();
    await page.getByRole('button', { name: 'Deliveries' }).click();
    await page.getByText('Nothing sent yet').waitFor();
    await page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();
    await shoot('webhooks');
  });

  it('offers a viewer no create button and no settings', async () => {
    const viewer = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
    try {
      await signIn(viewer, 'vera', viewerPassword);
      await viewer.getByRole('menuitem', { name: 'Products' }).click();
      await viewer.getByRole('link', { name: 'Smart meter' }).waitFor();
      assert.equal(await viewer.getByRole('button', { name: 'Create product' }).count(), 0);
      assert.equal(await viewer.getByRole('menuitem', { name: 'Settings' }).count(), 0);
      await viewer.getByRole('menuitem', { name: 'Firmware' }).click();
      await viewer.getByRole('cell', { name: '1.0.1', exact: true }).waitFor();
      assert.equal(await viewer.getByRole('button', { name: 'Upload firmware' }).count(), 0);
      const firmware = (await app.http.inject({ url: '/api/v1/firmware', headers })).json().items[0];
      const draft = await app.http.inject({
        method: 'POST',
        url: '/api/v1/plans',
        headers,
        payload: {
          name: 'Autumn rollout',
          productId: firmware.productId,
          firmwarePackageId: firmware.id,
          target: { kind: 'all' },
        },
      });
      assert.equal(draft.statusCode, 201, draft.body);
      await viewer.getByRole('menuitem', { name: 'Plans' }).click();
      await viewer.getByRole('link', { name: 'Spring rollout' }).waitFor();
      assert.equal(await viewer.getByRole('button', { name: 'Create plan' }).count(), 0);
      await viewer.getByRole('link', { name: 'Autumn rollout' }).click();
      await viewer.getByText('A draft has no devices yet').waitFor();
      await viewer.getByText('Publishing enrols 6 devices').waitFor();
      await viewer.getByRole('link', { name: 'Export CSV' }).waitFor();
      for (const name of ['Publish', 'Start', 'Cancel plan']) {
        assert.equal(await viewer.getByRole('button', { name, exact: true }).count(), 0, name);
      }
      await shoot('plan-viewer', viewer);
      await viewer.goto(`${base}/plans/new`);
      await viewer.getByText('There is no page here.').waitFor();
    } finally {
      await viewer.close();
    }
  });

  it('fits a phone-sized screen with the menu folded away', async () => {
    const phone = await browser.newPage({
      viewport: { width: 390, height: 844 },
      locale: 'en-US',
      isMobile: true,
    });
    try {
      await signIn(phone, 'admin', adminPassword);
      await phone.goto(`${base}/products`);
      await phone.getByRole('link', { name: 'Smart meter' }).waitFor();
      assert.equal(await phone.getByRole('menuitem', { name: 'Devices' }).isVisible(), false);
      const width = await phone.evaluate<number>('document.documentElement.scrollWidth');
      assert.ok(width <= 390, `the page is ${width} px wide`);
      await shoot('products-phone', phone);
      await phone.getByRole('button', { name: 'Menu' }).click();
      await phone.getByRole('menuitem', { name: 'Devices' }).click();
      await phone.getByRole('heading', { name: 'Devices' }).waitFor();
      await shoot('devices-phone', phone);
      await phone.goto(planUrl);
      await waitForCount(phone, 'Success', 3);
      const planWidth = await phone.evaluate<number>('document.documentElement.scrollWidth');
      assert.ok(planWidth <= 390, `the plan page is ${planWidth} px wide`);
      await shoot('plan-phone', phone);
    } finally {
      await phone.close();
    }
  });
});

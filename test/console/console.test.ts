// The web console in a real browser (Debian's chromium through playwright-core) against a real
// server on loopback: sign in, create a product and a module, upload firmware, register a device,
// list plans, switch to Chinese, and a viewer who is not offered what they may not do.
// Screenshots go to .test-output/screenshots/.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
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
    const key = await app.services.accounts.createApiKey(null, { name: 'console test', role: 'admin' });
    const headers = { authorization: `Bearer ${key.secret}` };
    const firmware = (await app.http.inject({ url: '/api/v1/firmware', headers })).json().items[0];
    const created = await app.http.inject({
      method: 'POST',
      url: '/api/v1/plans',
      headers,
      payload: {
        name: 'Spring rollout',
        productId: firmware.productId,
        firmwarePackageId: firmware.id,
        target: { kind: 'all' },
      },
    });
    assert.equal(created.statusCode, 201, created.body);
    await page.reload();
    await page.getByRole('cell', { name: 'Spring rollout' }).waitFor();
    await page.getByRole('cell', { name: 'draft' }).waitFor();
    await shoot('plans');
  });

  it('switches to Chinese and remembers it', async () => {
    await page.getByText('中文').click();
    await page.getByRole('menuitem', { name: '产品' }).waitFor();
    await page.getByRole('menuitem', { name: '产品' }).click();
    await page.getByRole('button', { name: '创建产品' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: '产品' }).waitFor();
    await shoot('products-zh');
    await page.getByText('English').click();
    await page.getByRole('heading', { name: 'Products' }).waitFor();
  });

  it('shows the admin pages: API keys and users', async () => {
    await page.getByRole('menuitem', { name: 'Settings' }).click();
    await page.getByRole('menuitem', { name: 'API keys' }).click();
    await page.getByRole('heading', { name: 'API keys' }).waitFor();
    await shoot('api-keys');
    await page.getByRole('menuitem', { name: 'Users' }).click();
    await page.getByRole('cell', { name: 'vera' }).waitFor();
    await shoot('users');
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
      await viewer.getByRole('cell', { name: '1.0.1' }).waitFor();
      assert.equal(await viewer.getByRole('button', { name: 'Upload firmware' }).count(), 0);
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
    } finally {
      await phone.close();
    }
  });
});

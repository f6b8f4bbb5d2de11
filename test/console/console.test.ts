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

/** Content Security Policy violations any page reported (the headers must fit the console). */
const cspViolations: string[] = [];
/** Files a page asked for and did not get (issue 19: /favicon.ico 404 on every load). */
const missingFiles: string[] = [];
function watchCsp(page: Page): Page {
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
  });
  page.on('response', (response) => {
    const path = new URL(response.url()).pathname;
    if (response.status() === 404 && !path.startsWith('/api/')) missingFiles.push(path);
  });
  return page;
}

describe('the web console', { skip, timeout: 300_000 }, () => {
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
    page = watchCsp(await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'en-US' }));
    // Every wait is for something the page shows within a few polls. 30 s, not less: CI runs this
    // beside other suites on two cores, where a debounced count and its request took over 10 s.
    page.setDefaultTimeout(30_000);
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
    // No white frame around the app.
    assert.equal(await page.evaluate<string>('getComputedStyle(document.body).margin'), '0px');
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
    // OneNET's codes belong to the module (protocols.md §2.7).
    await page.getByRole('dialog').getByLabel('OneNET manufacturer code').fill('101');
    await page.getByRole('dialog').getByLabel('OneNET model code').fill('10101');
    await page.getByRole('dialog').getByRole('button', { name: 'Create' }).click();
    await page.getByRole('cell', { name: 'mcu', exact: true }).waitFor();
    await page.getByRole('cell', { name: '101 / 10101' }).waitFor();
    await page.getByRole('row', { name: /mcu/ }).getByRole('button', { name: 'Edit' }).click();
    await page.getByRole('dialog').getByLabel('OneNET model code').fill('10201');
    await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
    await page.getByRole('cell', { name: '101 / 10201' }).waitFor();
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
    await dialog.getByLabel('Name').fill('Spring build');
    await dialog.getByLabel('Remark').fill('for the pilot meters');
    await dialog.locator('input[type=file]').setInputFiles({
      name: 'meter.bin',
      mimeType: 'application/octet-stream',
      buffer: Buffer.alloc(64 * 1024, 7),
    });
    await shoot('firmware-upload');
    await dialog.getByRole('button', { name: 'Upload firmware' }).click();
    await page.getByRole('cell', { name: 'Spring build for the pilot meters' }).waitFor();
    await page.getByRole('cell', { name: '1.0.1', exact: true }).waitFor();
    await page.getByRole('link', { name: 'meter.bin' }).waitFor();
    // Each package names its product (issue 19: a gateway's "default" looked like a meter's).
    await page
      .getByRole('row', { name: /Spring build/ })
      .getByRole('link', { name: 'Smart meter' })
      .waitFor();
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
    // The row names its product and the list its exact total (issue 19).
    await page
      .getByRole('row', { name: /meter-0001/ })
      .getByRole('link', { name: 'Smart meter' })
      .waitFor();
    await page.getByTestId('device-total').getByText('Total: 1').waitFor();
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
    await page.getByLabel('Firmware package').first().click();
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
    // The version the device reported, not "–" (issue 19).
    const succeeded = page.getByRole('row', { name: /meter-0002/ });
    await succeeded.getByRole('cell', { name: '1.0.1', exact: true }).waitFor();
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
    // The retry kept the rollout as it happened: one device failed once, 2 of 3 succeeded at first.
    const history = page.getByTestId('plan-history');
    await history
      .locator('.ant-statistic')
      .filter({ hasText: /^Devices that failed1$/ })
      .waitFor();
    await history
      .locator('.ant-statistic')
      .filter({ hasText: /^First-attempt success66\.7%$/ })
      .waitFor();
    await history
      .locator('.ant-statistic')
      .filter({ hasText: /^Success now100%$/ })
      .waitFor();
    await history.getByRole('cell', { name: 'failed on the device' }).waitFor();
    await history
      .getByText(/running → completed/)
      .first()
      .waitFor();
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
    // The page names the device's product and each plan by its name, not "#2" (issue 19).
    await page.getByRole('link', { name: 'Smart meter' }).waitFor();
    await page
      .locator('.ant-card', { hasText: 'Upgrade history' })
      .getByRole('link', { name: 'Spring rollout' })
      .waitFor();
    await page.getByText('-71 dBm').waitFor();
    await page.getByText('88%').waitFor();
    const history = page.locator('.ant-card', { hasText: 'Upgrade history' });
    await history.getByRole('cell', { name: 'Success' }).waitFor();
    await history.getByRole('button', { name: 'Log' }).click();
    // Events in words (issue 19: 'repush_due', 'operator_retry' were shown as codes).
    await page.getByTestId('upgrade-log').getByText('retried by an operator').waitFor();
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
    await page.getByTestId('device-total').getByText('Total: 4').waitFor();
    // The menu's Devices is the whole list again, not the group's (issue 19), with each version.
    assert.equal(await page.locator('.ant-select').filter({ hasText: 'north' }).count(), 1);
    await page.getByRole('menuitem', { name: 'Devices' }).click();
    await page.locator('.ant-select').filter({ hasText: 'north' }).waitFor({ state: 'detached' });
    await page.getByTestId('device-total').getByText('Total: 4').waitFor();
    await page
      .getByRole('row', { name: /meter-0004/ })
      .getByRole('cell', { name: '1.0.1', exact: true })
      .waitFor();
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

  it('starts a manual plan by hand, pauses, resumes, confirms a device, cancels another and the plan, each asked first', async () => {
    await page.getByRole('menuitem', { name: 'Plans' }).click();
    await page.getByRole('button', { name: 'Create plan' }).first().click();
    await page.getByLabel('Name', { exact: true }).fill('By hand');
    await page.getByLabel('Product').click();
    await page.getByTitle('Smart meter').click();
    await page.getByLabel('Firmware package').first().click();
    await page.getByTitle('default 1.0.1').click();
    await page.locator('.ant-radio-button-wrapper', { hasText: 'List' }).click();
    const devices = page.getByLabel('Devices', { exact: true });
    await devices.click();
    for (const name of ['import-0101', 'import-0102']) {
      await devices.fill(name);
      await page.getByTitle(name, { exact: true }).click();
    }
    await page.keyboard.press('Escape');
    await page.getByRole('radio', { name: 'By hand' }).check();
    await page.getByRole('radio', { name: 'confirmed on the device' }).check();
    // A manual plan needs its texts for the device's owner.
    await page.getByLabel('Upgrade text (Chinese)').fill('修复计量误差');
    await page.getByLabel('Upgrade text (English)').fill('Fixes the metering error');
    await page.getByRole('button', { name: 'Create and publish' }).click();
    await page.getByRole('heading', { name: /scheduled/ }).waitFor();
    await page.getByText('Publishing enrols 2 devices').waitFor();
    await page.getByText('Devices are enrolled when the plan starts').waitFor();
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await page.getByRole('heading', { name: /running/ }).waitFor();
    // Pause asks first, with the devices it stops.
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    const pause = page.getByRole('tooltip');
    await pause
      .getByText('Pause the plan? 2 devices not finished stop being pushed until it resumes.')
      .waitFor();
    await pause.getByRole('button', { name: 'Pause', exact: true }).click();
    await page.getByRole('heading', { name: /paused/ }).waitFor();
    const row = page.getByRole('row', { name: /import-0101/ });
    await row.getByText('the plan is not running').waitFor();
    await page.getByRole('button', { name: 'Resume', exact: true }).click();
    await page.getByRole('heading', { name: /running/ }).waitFor();
    // Bulk actions ask first and name the count; "No" leaves the device awaiting.
    await page.getByRole('button', { name: 'Reject all awaiting' }).click();
    const reject = page.getByRole('tooltip');
    await reject.getByText('Reject all 2 devices awaiting confirmation? Their upgrades end.').waitFor();
    await reject.getByRole('button', { name: 'No' }).click();
    await row.getByText('waits for confirmation').waitFor();
    await row.getByText('awaiting confirmation').waitFor();
    await shoot('plan-manual');
    await row.getByRole('button', { name: 'Confirm', exact: true }).click();
    await page.getByText('import-0101 confirmed').waitFor();
    await row.getByText('awaiting confirmation').waitFor({ state: 'detached' });
    // Never connected: it waits for being offline, and says it was never seen.
    await row.getByText('the device is offline').waitFor();
    await row.getByText('never seen').waitFor();
    // Cancelling one device asks first; its ended upgrade offers no confirm or reject any more.
    const other = page.getByRole('row', { name: /import-0102/ });
    await other.getByRole('button', { name: 'Cancel', exact: true }).click();
    await page
      .getByRole('tooltip')
      .getByText('Cancel the upgrade of import-0102?', { exact: false })
      .waitFor();
    await page.getByRole('tooltip').getByRole('button', { name: 'Cancel', exact: true }).click();
    await page.getByText('import-0102 cancelled').waitFor();
    await other.getByText('Cancelled', { exact: true }).waitFor();
    assert.equal(await other.getByRole('button', { name: 'Confirm', exact: true }).count(), 0);
    assert.equal(await other.getByRole('button', { name: 'Reject', exact: true }).count(), 0);
    assert.equal(await other.getByText('awaiting confirmation').count(), 0);
    await page.getByRole('button', { name: 'Reject all awaiting' }).waitFor({ state: 'detached' });
    // Cancelling the plan asks for its name to be typed.
    await page.getByRole('button', { name: 'Cancel plan' }).click();
    const dialog = page.getByRole('dialog', { name: 'Cancel plan' });
    const ok = dialog.getByRole('button', { name: 'Cancel plan' });
    assert.equal(await ok.isDisabled(), true, 'disabled until the name is typed');
    await dialog.getByLabel('Type By hand to confirm.').fill('By hand');
    await ok.click();
    await page.getByRole('heading', { name: /cancelled/ }).waitFor();
    await waitForCount(page, 'Cancelled', 2);
  });

  it('refuses a plan the server does not accept with its message, and keeps the form', async () => {
    await page.getByRole('menuitem', { name: 'Plans' }).click();
    await page.getByRole('button', { name: 'Create plan' }).first().click();
    await page.getByLabel('Name', { exact: true }).fill('Not a verification');
    await page.getByLabel('Product').click();
    await page.getByTitle('Smart meter').click();
    await page.getByLabel('Firmware package').first().click();
    await page.getByTitle('default 1.0.1').click();
    await page.getByLabel('Verification plan').click();
    await page.getByRole('button', { name: 'Create and publish' }).click();
    const notice = page.locator('.ant-message-error');
    await notice.waitFor();
    assert.match((await notice.textContent()) ?? '', /verification plan targets one test device/);
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

  it('lists the plans of one firmware package from the firmware page', async () => {
    await page.getByRole('menuitem', { name: 'Firmware' }).click();
    await page
      .getByRole('row', { name: /Spring build/ })
      .getByRole('button', { name: 'Plans' })
      .click();
    await page.getByRole('heading', { name: 'Upgrade plans' }).waitFor();
    const packageId = Number(new URL(page.url()).searchParams.get('firmwarePackageId'));
    const expected = (
      await app.http.inject({ url: `/api/v1/plans?firmwarePackageId=${packageId}`, headers })
    ).json().items;
    assert.ok(expected.length >= 1);
    await page.getByRole('link', { name: 'Spring rollout' }).waitFor();
    assert.equal(await page.locator('tbody tr.ant-table-row').count(), expected.length);
    await page.getByLabel('Firmware package').first().click();
    await page.getByTitle(/^1\.0\.2 \(default 1\.0\.2\)$/).click();
    await page.getByText(/No upgrade plans yet/).waitFor();
    assert.notEqual(Number(new URL(page.url()).searchParams.get('firmwarePackageId')), packageId);
    await shoot('plans-of-package');
  });

  it('switches to Chinese and remembers it', async () => {
    await page.getByText('中文').click();
    await page.getByRole('menuitem', { name: '产品' }).waitFor();
    await page.getByRole('menuitem', { name: '产品' }).click();
    await page.getByRole('button', { name: '创建产品' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: '产品' }).waitFor();
    assert.equal(
      await page.evaluate<string>('document.documentElement.lang'),
      'zh-CN',
      '<html lang> after a reload',
    );
    await shoot('products-zh');
    // Form validation and the date picker speak Chinese too (issue 19: "Please enter 用户名", "Select date").
    await page.goto(`${base}/plans/new`);
    await page.getByRole('button', { name: '创建并发布' }).click();
    await page
      .getByText(/^请输入/)
      .first()
      .waitFor();
    assert.equal(await page.getByText(/Please enter/).count(), 0);
    assert.equal(await page.getByPlaceholder('Select date').count(), 0);
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
    const viewer = watchCsp(
      await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'en-US' }),
    );
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
    const phone = watchCsp(
      await browser.newPage({
        viewport: { width: 390, height: 844 },
        locale: 'en-US',
        isMobile: true,
      }),
    );
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

  it('creates a plan of two components and shows the state of each, per plan and per device', async () => {
    const product = (await app.http.inject({ url: '/api/v1/products', headers })).json().items[0];
    const form = new FormData();
    form.set('version', '3.0');
    form.set('module', 'mcu');
    form.set('file', new Blob([new Uint8Array(3000).fill(7)]), 'mcu.bin');
    const uploaded = await fetch(`${base}/api/v1/products/${product.id}/firmware`, {
      method: 'POST',
      headers,
      body: form,
    });
    assert.equal(uploaded.status, 201, await uploaded.text());
    const registered = await app.http.inject({
      method: 'POST',
      url: `/api/v1/products/${product.id}/devices`,
      headers,
      payload: { name: 'meter-two', versions: { default: '1.0', mcu: '2.5' } },
    });
    assert.equal(registered.statusCode, 201, registered.body);
    await page.getByRole('menuitem', { name: 'Plans' }).click();
    await page.getByRole('button', { name: 'Create plan' }).first().click();
    await page.getByLabel('Name', { exact: true }).fill('Module then MCU');
    await page.getByLabel('Product').click();
    await page.getByTitle('Smart meter').click();
    await page.getByLabel('Firmware package').click();
    await page.getByTitle('default 1.0.1').click();
    await page.getByTestId('add-component').click();
    const open = () => page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden)');
    await page.locator('#laterComponents_0_module').click();
    await open()
      .getByTitle(/^mcu \(/)
      .click();
    await page.locator('#laterComponents_0_firmwarePackageId').click();
    await open().getByTitle('mcu 3.0').click();
    await page.locator('.ant-radio-button-wrapper', { hasText: 'List' }).click();
    const devices = page.getByLabel('Devices', { exact: true });
    await devices.click();
    await devices.fill('meter-two');
    await page.getByTitle('meter-two', { exact: true }).click();
    await page.keyboard.press('Escape');
    await page.getByText('1 devices will be targeted (0 busy in another plan)').waitFor();
    await shoot('plan-form-components');
    await page.getByRole('button', { name: 'Create and publish' }).click();
    await page.getByRole('heading', { name: /Module then MCU/ }).waitFor();
    const components = page.getByTestId('plan-components');
    await components.getByText('mcu', { exact: true }).waitFor();
    const installed: string[] = [];
    const device = createDevice({
      server: base,
      transport: 'http',
      credentials: { productKey, name: 'meter-two', secret: registered.json().secret },
      stateDir: join(dataDir, 'devices', 'meter-two'),
      modules: {
        default: { version: '1.0', install: async () => void installed.push('default') },
        // The module's OneNET codes, as set on the product page (a check with others fails, errno 8).
        mcu: {
          version: '2.5',
          codes: { manufacturer: '101', model: '10201' },
          install: async () => void installed.push('mcu'),
        },
      },
    });
    try {
      await device.start();
      await device.checkNow();
    } finally {
      await device.stop();
    }
    assert.deepEqual(installed, ['default', 'mcu']);
    await page.getByRole('heading', { name: /completed/ }).waitFor();
    assert.equal(await components.getByText('upgraded 1').count(), 2);
    const row = page.getByRole('row', { name: /meter-two/ });
    await row.getByText('default: upgraded').waitFor();
    await row.getByText('mcu: upgraded').waitFor();
    await shoot('plan-components');
  });

  it('shows a server error on the device list as an error, not as an empty list, with labelled filters', async () => {
    await page.route('**/api/v1/devices?**', (route) =>
      route.fulfill({
        status: 500,
        contentType: 'application/json',
        body: JSON.stringify({ code: 'INTERNAL', message: 'the database is unreachable' }),
      }),
    );
    try {
      await page.goto(`${base}/devices`);
      await page.getByRole('alert').filter({ hasText: 'the database is unreachable' }).first().waitFor();
      assert.equal(await page.getByText(/No devices/).count(), 0);
      for (const name of ['Name', 'Version', 'Tag']) {
        await page.getByRole('searchbox', { name }).or(page.getByRole('textbox', { name })).first().waitFor();
      }
    } finally {
      await page.unroute('**/api/v1/devices?**');
    }
  });

  it('met no Content Security Policy violation on any page', () => {
    assert.deepEqual(cspViolations, []);
  });

  it('found every file it asked for, the favicon included', () => {
    assert.deepEqual(missingFiles, []);
  });
});

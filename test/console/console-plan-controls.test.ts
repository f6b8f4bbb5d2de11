// Controlling plans in the console in a real browser: a manual plan started by hand, paused,
// resumed, one device confirmed and another cancelled, then the plan cancelled, each asked first;
// a plan the server refuses; a delta made between two packages and a verification plan offered;
// the plans of one package; a plan of two components installed by an SDK device; a draft edited
// in the plan form (PUT /plans/:id). Each page is
// checked with axe-core at 1440 px. Screenshots go to .test-output/screenshots/.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createDevice } from '@updraft/sdk';
import type { Page } from 'playwright-core';
import {
  browserSkipReason,
  type ConsoleHarness,
  itMetNoPageFaults,
  startConsole,
} from '../support/console-browser.ts';
import {
  callApi,
  createMeterFleet,
  finishSpringRollout,
  type MeterFleet,
  registerDevice,
  waitForCount,
} from '../support/console-fleet.ts';
import { answerQuestion } from '../support/console-question.ts';

const skip = browserSkipReason();

describe('controlling plans in the web console', { skip, timeout: 300_000 }, () => {
  let h: ConsoleHarness;
  let page: Page;
  let fleet: MeterFleet;

  before(async () => {
    h = await startConsole();
    fleet = await createMeterFleet(h, ['meter-0002', 'meter-0003', 'import-0101', 'import-0102']);
    await finishSpringRollout(h, fleet, ['meter-0002', 'meter-0003']);
    ({ page } = await h.newPage({ viewport: { width: 1440, height: 900 } }));
    await h.signIn(page);
  });

  after(async () => {
    await h?.close();
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
    await answerQuestion(
      page,
      'Pause the plan? 2 devices not finished stop being pushed until it resumes.',
      'Pause',
    );
    await page.getByRole('heading', { name: /paused/ }).waitFor();
    const row = page.getByRole('row', { name: /import-0101/ });
    await row.getByText('the plan is not running').waitFor();
    await page.getByRole('button', { name: 'Resume', exact: true }).click();
    await page.getByRole('heading', { name: /running/ }).waitFor();
    // Bulk actions ask first and name the count; "No" leaves the device awaiting.
    await page.getByRole('button', { name: 'Reject all awaiting' }).click();
    await answerQuestion(page, 'Reject all 2 devices awaiting confirmation? Their upgrades end.', 'No');
    await row.getByText('waits for confirmation').waitFor();
    await row.getByText('awaiting confirmation').waitFor();
    await h.look(page, 'plan-manual');
    await row.getByRole('button', { name: 'Confirm', exact: true }).click();
    await page.getByText('import-0101 confirmed').waitFor();
    await row.getByText('awaiting confirmation').waitFor({ state: 'detached' });
    // Never connected: it waits for being offline, and says it was never seen.
    await row.getByText('the device is offline').waitFor();
    await row.getByText('never seen').waitFor();
    // Cancelling one device asks first; its ended upgrade offers no confirm or reject any more.
    const other = page.getByRole('row', { name: /import-0102/ });
    await other.getByRole('button', { name: 'Cancel', exact: true }).click();
    await answerQuestion(page, 'Cancel the upgrade of import-0102?', 'Cancel');
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
    await h.look(page, 'firmware-deltas');
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
    const expected = (await callApi(h, 'GET', `/api/v1/plans?firmwarePackageId=${packageId}`)).json().items;
    assert.ok(expected.length >= 1);
    await page.getByRole('link', { name: 'Spring rollout' }).waitFor();
    assert.equal(await page.locator('tbody tr.ant-table-row').count(), expected.length);
    await page.getByLabel('Firmware package').first().click();
    await page.getByTitle(/^1\.0\.2 \(default 1\.0\.2\)$/).click();
    await page.getByText(/No upgrade plans yet/).waitFor();
    assert.notEqual(Number(new URL(page.url()).searchParams.get('firmwarePackageId')), packageId);
    await h.look(page, 'plans-of-package');
  });

  it('creates a plan of two components and shows the state of each, per plan and per device', async () => {
    const form = new FormData();
    form.set('version', '3.0');
    form.set('module', 'mcu');
    form.set('file', new Blob([new Uint8Array(3000).fill(7)]), 'mcu.bin');
    const uploaded = await fetch(`${h.base}/api/v1/products/${fleet.productId}/firmware`, {
      method: 'POST',
      headers: h.headers,
      body: form,
    });
    assert.equal(uploaded.status, 201, await uploaded.text());
    await registerDevice(h, fleet, 'meter-two', { default: '1.0', mcu: '2.5' });
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
    await h.look(page, 'plan-form-components');
    await page.getByRole('button', { name: 'Create and publish' }).click();
    await page.getByRole('heading', { name: /Module then MCU/ }).waitFor();
    const components = page.getByTestId('plan-components');
    await components.getByText('mcu', { exact: true }).waitFor();
    const installed: string[] = [];
    const device = createDevice({
      server: h.base,
      transport: 'http',
      credentials: {
        productKey: fleet.productKey,
        name: 'meter-two',
        secret: fleet.secrets.get('meter-two')!,
      },
      stateDir: join(h.dataDir, 'devices', 'meter-two'),
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
    await h.look(page, 'plan-components');
  });

  it('edits a draft in the plan form, filled in as saved, and saves it with PUT', async () => {
    const draft = await callApi(h, 'POST', '/api/v1/plans', {
      name: 'Autumn draft',
      productId: fleet.productId,
      firmwarePackageId: fleet.packageId,
      target: { kind: 'devices', deviceIds: [fleet.deviceIds.get('import-0101')] },
      concurrency: 7,
      timeZone: 'Asia/Shanghai',
      deadline: '2030-01-02T04:00:00.000Z',
    });
    assert.equal(draft.statusCode, 201, draft.body);
    const id = draft.json().id as number;
    await page.goto(`${h.base}/plans/${id}`);
    await page.getByText('Publishing enrols 1 devices').waitFor();
    await page.getByRole('button', { name: 'Edit draft' }).click();
    await page.getByRole('heading', { name: 'Edit draft plan' }).waitFor();
    // Filled in as saved: the deadline as the wall-clock time of the plan's zone (12:00 in Shanghai).
    assert.equal(await page.getByLabel('Name', { exact: true }).inputValue(), 'Autumn draft');
    assert.equal(await page.getByLabel('Concurrency cap').inputValue(), '7');
    assert.equal(await page.getByLabel('Deadline').inputValue(), '2030-01-02 12:00:00');
    await page.getByTitle('default 1.0.1').first().waitFor();
    await page.getByText('1 devices will be targeted (0 busy in another plan)').waitFor();
    await h.look(page, 'plan-edit');
    await page.getByLabel('Name', { exact: true }).fill('Autumn draft, edited');
    await page.getByLabel('Concurrency cap').fill('9');
    const devices = page.getByLabel('Devices', { exact: true });
    await devices.click();
    await devices.fill('import-0102');
    await page.getByTitle('import-0102', { exact: true }).click();
    await page.keyboard.press('Escape');
    await page.getByText('2 devices will be targeted (0 busy in another plan)').waitFor();
    await page.getByRole('button', { name: 'Save draft' }).click();
    await page.getByText('Draft Autumn draft, edited saved').waitFor();
    await page.getByRole('heading', { name: /Autumn draft, edited/ }).waitFor();
    await page.getByText('Publishing enrols 2 devices').waitFor();
    const saved = (await callApi(h, 'GET', `/api/v1/plans/${id}`)).json();
    assert.equal(saved.status, 'draft');
    assert.equal(saved.concurrency, 9);
    assert.equal(saved.deadline, '2030-01-02T04:00:00.000Z');
    assert.equal(saved.timeZone, 'Asia/Shanghai');
    assert.deepEqual(
      saved.target.deviceIds.toSorted(),
      [fleet.deviceIds.get('import-0101'), fleet.deviceIds.get('import-0102')].toSorted(),
    );
    // Past its draft, a plan offers no edit, and its edit page says why.
    await page.getByRole('button', { name: 'Publish', exact: true }).click();
    await page.getByRole('heading', { name: /running/ }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Edit draft' }).count(), 0);
    await page.goto(`${h.base}/plans/${id}/edit`);
    await page.getByText('Only a draft can be edited; this plan has been published.').waitFor();
  });

  itMetNoPageFaults(() => h);
});

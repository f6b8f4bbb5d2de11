// The console in Chinese, for an admin's settings, for a viewer, and on a phone, in a real
// browser: the language switch and what it reaches (html lang, form validation, the date picker,
// the plan page, the device page and the firmware list), the API keys, users and webhooks pages, a viewer offered nothing they may not
// do, and a 390 px screen with the menu folded away. Pages are checked with axe-core at 1440 px
// in English and Chinese and at 390 px. Screenshots go to .test-output/screenshots/.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
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
  waitForCount,
} from '../support/console-fleet.ts';

const skip = browserSkipReason();
const viewerPassword = 'console-viewer-password';

describe('the web console in Chinese, for each role and on a phone', { skip, timeout: 300_000 }, () => {
  let h: ConsoleHarness;
  let page: Page;
  let fleet: MeterFleet;
  let planId: number;

  before(async () => {
    h = await startConsole();
    await h.app.services.accounts.createUser({ username: 'vera', password: viewerPassword, role: 'viewer' });
    fleet = await createMeterFleet(h, ['meter-0001', 'meter-0002', 'meter-0003', 'meter-0004']);
    planId = await finishSpringRollout(h, fleet, ['meter-0002', 'meter-0003', 'meter-0004']);
    ({ page } = await h.newPage({ viewport: { width: 1440, height: 900 } }));
    await h.signIn(page);
  });

  after(async () => {
    await h?.close();
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
    await h.look(page, 'products-zh');
    // Form validation and the date picker speak Chinese too (issue 19: "Please enter 用户名", "Select date").
    await page.goto(`${h.base}/plans/new`);
    await page.getByRole('button', { name: '创建并发布' }).click();
    await page
      .getByText(/^请输入/)
      .first()
      .waitFor();
    assert.equal(await page.getByText(/Please enter/).count(), 0);
    assert.equal(await page.getByPlaceholder('Select date').count(), 0);
    await page.goto(`${h.base}/plans/${planId}`);
    await waitForCount(page, '成功', 3);
    await h.look(page, 'plan-zh');
    // The device page and the firmware list in Chinese, beside their English screenshots
    // (device-detail, firmware): the device's new version and its log, the package's row.
    await page.goto(`${h.base}/devices/${fleet.deviceIds.get('meter-0002')}`);
    await page.getByRole('heading', { name: 'meter-0002' }).waitFor();
    await page.getByText('1.0.1').first().waitFor();
    assert.equal(await page.getByText(/^Device$|^Version$|^Last seen$/).count(), 0, 'no English labels');
    await h.look(page, 'device-zh');
    await page.getByRole('menuitem', { name: '固件' }).click();
    await page.getByRole('cell', { name: '1.0.1', exact: true }).waitFor();
    await h.look(page, 'firmware-zh');
    await page.getByRole('menuitem', { name: '产品' }).click();
    await page.getByText('English').click();
    await page.getByRole('heading', { name: 'Products' }).waitFor();
  });

  it('shows the admin pages: API keys, users and webhooks', async () => {
    await page.getByRole('menuitem', { name: 'Settings' }).click();
    await page.getByRole('menuitem', { name: 'API keys' }).click();
    await page.getByRole('heading', { name: 'API keys' }).waitFor();
    await h.look(page, 'api-keys');
    await page.getByRole('menuitem', { name: 'Users' }).click();
    await page.getByRole('cell', { name: 'vera' }).waitFor();
    await h.look(page, 'users');
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
    await h.look(page, 'webhooks');
  });

  it('offers a viewer no create button and no settings', async () => {
    const { context, page: viewer } = await h.newPage({ viewport: { width: 1440, height: 900 } });
    try {
      await h.signIn(viewer, 'vera', viewerPassword);
      await viewer.getByRole('menuitem', { name: 'Products' }).click();
      await viewer.getByRole('link', { name: 'Smart meter' }).waitFor();
      assert.equal(await viewer.getByRole('button', { name: 'Create product' }).count(), 0);
      assert.equal(await viewer.getByRole('menuitem', { name: 'Settings' }).count(), 0);
      await viewer.getByRole('menuitem', { name: 'Firmware' }).click();
      await viewer.getByRole('cell', { name: '1.0.1', exact: true }).waitFor();
      assert.equal(await viewer.getByRole('button', { name: 'Upload firmware' }).count(), 0);
      const draft = await callApi(h, 'POST', '/api/v1/plans', {
        name: 'Autumn rollout',
        productId: fleet.productId,
        firmwarePackageId: fleet.packageId,
        target: { kind: 'all' },
      });
      assert.equal(draft.statusCode, 201, draft.body);
      await viewer.getByRole('menuitem', { name: 'Plans' }).click();
      await viewer.getByRole('link', { name: 'Spring rollout' }).waitFor();
      assert.equal(await viewer.getByRole('button', { name: 'Create plan' }).count(), 0);
      await viewer.getByRole('link', { name: 'Autumn rollout' }).click();
      await viewer.getByText('A draft has no devices yet').waitFor();
      await viewer.getByText('Publishing enrols 4 devices').waitFor();
      await viewer.getByRole('link', { name: 'Export CSV' }).waitFor();
      for (const name of ['Publish', 'Start', 'Cancel plan']) {
        assert.equal(await viewer.getByRole('button', { name, exact: true }).count(), 0, name);
      }
      await h.look(viewer, 'plan-viewer');
      await viewer.goto(`${h.base}/plans/new`);
      await viewer.getByText('There is no page here.').waitFor();
    } finally {
      await context.close();
    }
  });

  it('fits a phone-sized screen with the menu folded away', async () => {
    const { context, page: phone } = await h.newPage({
      viewport: { width: 390, height: 844 },
      isMobile: true,
    });
    try {
      await h.signIn(phone);
      await phone.goto(`${h.base}/products`);
      await phone.getByRole('link', { name: 'Smart meter' }).waitFor();
      assert.equal(await phone.getByRole('menuitem', { name: 'Devices' }).isVisible(), false);
      const width = await phone.evaluate<number>('document.documentElement.scrollWidth');
      assert.ok(width <= 390, `the page is ${width} px wide`);
      await h.look(phone, 'products-phone');
      await phone.getByRole('button', { name: 'Menu' }).click();
      await phone.getByRole('menuitem', { name: 'Devices' }).click();
      await phone.getByRole('heading', { name: 'Devices' }).waitFor();
      await h.look(phone, 'devices-phone');
      await phone.goto(`${h.base}/plans/${planId}`);
      await waitForCount(phone, 'Success', 3);
      const planWidth = await phone.evaluate<number>('document.documentElement.scrollWidth');
      assert.ok(planWidth <= 390, `the plan page is ${planWidth} px wide`);
      await h.look(phone, 'plan-phone');
    } finally {
      await context.close();
    }
  });

  itMetNoPageFaults(() => h);
});

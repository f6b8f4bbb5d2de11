// A rollout through the console in a real browser: a plan created and published through the form
// (with the live count of the devices it targets), SDK devices (over HTTP, in the test process)
// reaching Success and one Failure on the live plan page, that device's log, its retry with the
// History card keeping the failure, the overview's charts, and the device's own page. Each page
// is checked with axe-core at 1440 px. Screenshots go to .test-output/screenshots/.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import {
  browserSkipReason,
  type ConsoleHarness,
  itMetNoPageFaults,
  startConsole,
} from '../support/console-browser.ts';
import { createMeterFleet, type MeterFleet, runDevice, waitForCount } from '../support/console-fleet.ts';

const skip = browserSkipReason();

describe('a rollout in the web console', { skip, timeout: 300_000 }, () => {
  let h: ConsoleHarness;
  let page: Page;
  let fleet: MeterFleet;

  before(async () => {
    h = await startConsole();
    fleet = await createMeterFleet(h, ['meter-0001', 'meter-0002', 'meter-0003', 'meter-0004']);
    ({ page } = await h.newPage({ viewport: { width: 1440, height: 900 } }));
    await h.signIn(page);
  });

  after(async () => {
    await h?.close();
  });

  it('creates and publishes a plan through the form, with every field explained', async () => {
    await page.getByRole('menuitem', { name: 'Plans' }).click();
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
    await h.look(page, 'plan-form');
    await page.getByRole('button', { name: 'Create and publish' }).click();
    await page.getByRole('heading', { name: /Spring rollout/ }).waitFor();
    await page.getByRole('heading', { name: /running/ }).waitFor();
    await waitForCount(page, 'Devices', 3);
    await h.look(page, 'plan-running');
    await page.getByRole('menuitem', { name: 'Overview' }).click();
    await page
      .locator('.ant-card', { hasText: 'Active plans' })
      .getByRole('link', { name: 'Spring rollout' })
      .click();
    await waitForCount(page, 'Devices', 3);
  });

  it('shows devices reaching Success and one reaching Failure, live', async () => {
    assert.equal((await runDevice(h, fleet, 'meter-0002'))[0]?.outcome, 'success');
    assert.equal((await runDevice(h, fleet, 'meter-0003'))[0]?.outcome, 'success');
    const failed = await runDevice(h, fleet, 'meter-0004', async () => {
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
    await h.look(page, 'plan');
  });

  it('shows a device log and retries the failed device until it succeeds', async () => {
    const row = page.getByRole('row', { name: /meter-0004/ });
    await row.getByRole('button', { name: 'meter-0004' }).click();
    const log = page.getByTestId('upgrade-log');
    await log.waitFor();
    assert.match((await log.textContent()) ?? '', /Failure/);
    await h.look(page, 'plan-device-log');
    await page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();
    await row.getByRole('button', { name: 'Retry' }).click();
    await page.getByText('meter-0004 retried').waitFor();
    await waitForCount(page, 'Failure', 0);
    await page.getByRole('heading', { name: /running/ }).waitFor();
    assert.equal((await runDevice(h, fleet, 'meter-0004'))[0]?.outcome, 'success');
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
    await h.look(page, 'plan-completed');
    await page.getByRole('menuitem', { name: 'Plans' }).click();
    await page.getByRole('link', { name: 'Spring rollout' }).waitFor();
    await h.look(page, 'plans');
    await page.getByRole('menuitem', { name: 'Overview' }).click();
    const versions = page.locator('.ant-card', { hasText: 'Versions in the fleet' });
    await versions.getByText('default 1.0.1').waitFor();
    await page.getByText('No plan is running.').waitFor();
    const rate = page.locator('.ant-card', { hasText: 'Success rate per day' });
    await rate.getByText('Last 30 days (UTC): 3 succeeded, 0 failed, success rate 100%').waitFor();
    const chart = (await rate.getByTestId('success-rate-chart').textContent()) ?? '';
    assert.match(chart, /\d{4}-\d{2}-\d{2}: 3 succeeded, 0 failed \(100%\)/, 'the day the devices finished');
    await h.look(page, 'overview-fleet');
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
    await h.look(page, 'device-detail');
    await history.getByRole('button', { name: 'Log' }).click();
    // Events in words (issue 19: 'repush_due', 'operator_retry' were shown as codes).
    await page.getByTestId('upgrade-log').getByText('retried by an operator').waitFor();
    await page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();
    await page.getByTestId('upgrade-log').waitFor({ state: 'hidden' });
  });

  itMetNoPageFaults(() => h);
});

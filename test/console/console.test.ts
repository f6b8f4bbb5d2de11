// The web console in a real browser (Debian's chromium through playwright-core) against a real
// server on loopback, from an empty server: sign in, create a product and a module, upload
// firmware, register a device, create a group and filter by it, add devices to it by filter,
// import devices from CSV, and a device list that fails to load. Each page is checked with
// axe-core at 1440 px. The rollout, the plan controls, and the languages, roles and screen sizes
// have their own files (console-rollout, console-plan-controls, console-roles).
// Screenshots go to .test-output/screenshots/.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import {
  browserSkipReason,
  type ConsoleHarness,
  itMetNoPageFaults,
  startConsole,
} from '../support/console-browser.ts';
import { callApi } from '../support/console-fleet.ts';

const skip = browserSkipReason();

describe('the web console', { skip, timeout: 300_000 }, () => {
  let h: ConsoleHarness;
  let page: Page;

  before(async () => {
    h = await startConsole();
    ({ page } = await h.newPage({ viewport: { width: 1440, height: 900 } }));
  });

  after(async () => {
    await h?.close();
  });

  it('is served at / with the index page for console paths, and JSON 404s elsewhere', async () => {
    for (const path of ['/', '/products/42']) {
      const answer = await fetch(h.base + path);
      assert.equal(answer.status, 200, path);
      assert.match(answer.headers.get('content-type') ?? '', /text\/html/);
      assert.match(await answer.text(), /<div id="root">/);
    }
    const api = await fetch(`${h.base}/api/v1/nothing-here`);
    assert.equal(api.status, 404);
    assert.equal(((await api.json()) as { code: string }).code, 'ROUTE_NOT_FOUND');
    assert.equal((await fetch(`${h.base}/assets/missing.js`)).status, 404);
  });

  it('signs an admin in and shows the overview', async () => {
    await page.goto(h.base);
    await page.getByLabel('Username').waitFor();
    await h.look(page, 'sign-in');
    await h.signIn(page);
    // No white frame around the app.
    assert.equal(await page.evaluate<string>('getComputedStyle(document.body).margin'), '0px');
    await page
      .locator('.ant-card', { hasText: 'Success rate per day' })
      .getByText(/No device upgrade has finished in the last 30 days\. Start a plan/)
      .waitFor();
    await h.look(page, 'overview');
  });

  it('creates a product, opens it and adds a module', async () => {
    await page.getByRole('menuitem', { name: 'Products' }).click();
    await page.getByRole('heading', { name: 'Products' }).waitFor();
    await h.look(page, 'products-empty');
    await page.getByRole('button', { name: 'Create product' }).first().click();
    const form = page.getByRole('dialog');
    await form.getByLabel('Name').fill('Smart meter');
    await h.look(page, 'product-create');
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
    await h.look(page, 'product-detail');
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
    await h.look(page, 'firmware-upload');
    await dialog.getByRole('button', { name: 'Upload firmware' }).click();
    await page.getByRole('cell', { name: 'Spring build for the pilot meters' }).waitFor();
    await page.getByRole('cell', { name: '1.0.1', exact: true }).waitFor();
    await page.getByRole('link', { name: 'meter.bin' }).waitFor();
    // Each package names its product (issue 19: a gateway's "default" looked like a meter's).
    await page
      .getByRole('row', { name: /Spring build/ })
      .getByRole('link', { name: 'Smart meter' })
      .waitFor();
    await h.look(page, 'firmware');
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
    await h.look(page, 'device-secret');
    await page.getByRole('button', { name: 'OK' }).click();
    await page.getByRole('cell', { name: 'meter-0001' }).waitFor();
    // The row names its product and the list its exact total (issue 19).
    await page
      .getByRole('row', { name: /meter-0001/ })
      .getByRole('link', { name: 'Smart meter' })
      .waitFor();
    await page.getByTestId('device-total').getByText('Total: 1').waitFor();
    await h.look(page, 'devices');
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
    await h.look(page, 'groups');
    await page.getByRole('menuitem', { name: 'Devices' }).click();
    await page.getByRole('cell', { name: 'meter-0001' }).waitFor();
    await page.locator('.ant-select').filter({ hasText: 'Group' }).click();
    await page.getByTitle('north').click();
    await page.getByText('No devices match.').waitFor();
  });

  it('lists upgrade plans, with an empty state that says what to do first', async () => {
    await page.getByRole('menuitem', { name: 'Plans' }).click();
    await page.getByText('No upgrade plans yet.').waitFor();
    await h.look(page, 'plans-empty');
  });

  it('adds devices to a group by filter and lists its members', async () => {
    const product = (await callApi(h, 'GET', '/api/v1/products')).json().items[0];
    for (const name of ['meter-0002', 'meter-0003', 'meter-0004']) {
      const registered = await callApi(h, 'POST', `/api/v1/products/${product.id}/devices`, {
        name,
        versions: { default: '1.0.1' },
      });
      assert.equal(registered.statusCode, 201, registered.body);
    }
    await page.getByRole('menuitem', { name: 'Groups' }).click();
    const row = page.getByRole('row', { name: /north/ });
    await row.getByRole('button', { name: 'Add devices' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.locator('.ant-radio-button-wrapper', { hasText: 'By filter' }).click();
    await dialog.getByRole('textbox', { name: 'Name' }).fill('meter-000');
    await h.look(page, 'group-add-by-filter');
    await dialog.getByRole('button', { name: 'Add devices' }).click();
    await page.getByText('4 devices added to north').waitFor();
    await row.getByRole('button', { name: 'Members' }).click();
    await page.getByRole('heading', { name: 'Devices' }).waitFor();
    await page.getByRole('link', { name: 'meter-0003' }).waitFor();
    assert.equal(await page.getByRole('row').count(), 5, 'a header row and four members');
    await page.getByTestId('device-total').getByText('Total: 4').waitFor();
    await h.look(page, 'group-members');
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
    await page.goto(`${h.base}/devices`);
    await page.getByRole('button', { name: 'Import from CSV' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Product').click();
    await page.getByTitle('Smart meter').click();
    await dialog.getByLabel('CSV').fill('name,tags\nimport-0101,north\nbad name!,\nimport-0102,\n');
    await dialog.getByRole('button', { name: 'Import' }).click();
    await dialog.getByText('2 devices created, 1 lines refused').waitFor();
    await dialog.getByRole('cell', { name: '3', exact: true }).waitFor();
    await dialog.getByRole('link', { name: 'Download secrets (CSV)' }).waitFor();
    await h.look(page, 'device-import');
    await dialog.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('link', { name: 'import-0102' }).waitFor();
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
      await page.goto(`${h.base}/devices`);
      await page.getByRole('alert').filter({ hasText: 'the database is unreachable' }).first().waitFor();
      assert.equal(await page.getByText(/No devices/).count(), 0);
      for (const name of ['Name', 'Version', 'Tag']) {
        await page.getByRole('searchbox', { name }).or(page.getByRole('textbox', { name })).first().waitFor();
      }
      await h.look(page, 'devices-error');
    } finally {
      await page.unroute('**/api/v1/devices?**');
    }
  });

  itMetNoPageFaults(() => h, 'found every file it asked for, the favicon included');
});

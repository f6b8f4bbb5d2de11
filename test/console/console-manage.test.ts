// Every entity can be edited and deleted from the console (issue 19): a product (its edit, a
// refused and an accepted delete) and a module, a device (tags, a new secret, delete), a group
// (member count, rename, a preview of what a filter matches, removing a member, delete), a
// firmware package (release notes and hashes, edit, a refused and an accepted delete) and a
// user's password reset by an admin. Seeded through the API; each change made in the browser.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { browserSkipReason, type ConsoleHarness, startConsole } from '../support/console-browser.ts';
import { answerQuestion } from '../support/console-question.ts';

const skip = browserSkipReason();
const screenshots = join(import.meta.dirname, '..', '..', '.test-output', 'screenshots');

describe('managing every entity in the console', { skip, timeout: 240_000 }, () => {
  let h: ConsoleHarness;
  let page: Page;
  let product: { id: number };
  const image = Buffer.alloc(4096, 3);

  async function upload(productId: number, version: string, name: string): Promise<number> {
    const form = new FormData();
    form.set('version', version);
    form.set('name', name);
    form.set('file', new Blob([image]), 'app.bin');
    const answer = await fetch(`${h.base}/api/v1/products/${productId}/firmware`, {
      method: 'POST',
      headers: h.headers,
      body: form,
    });
    assert.equal(answer.status, 201, await answer.clone().text());
    return ((await answer.json()) as { id: number }).id;
  }
  const api = (method: string, url: string, payload?: unknown) =>
    h.app.http.inject({
      method: method as 'GET',
      url,
      headers: h.headers,
      ...(payload !== undefined && { payload: payload as object }),
    });
  async function open(username?: string, password?: string): Promise<Page> {
    const { page: opened } = await h.newPage();
    await h.signIn(opened, username, password);
    return opened;
  }
  before(async () => {
    h = await startConsole();
    product = (await api('POST', '/api/v1/products', { name: 'Meter' })).json();
    await api('POST', '/api/v1/products', { name: 'Spare' });
    await api('POST', `/api/v1/products/${product.id}/modules`, { name: 'tmp', kind: 'firmware' });
    const ids: number[] = [];
    for (const name of ['d-1', 'd-2', 'd-3']) {
      const answer = await api('POST', `/api/v1/products/${product.id}/devices`, {
        name,
        versions: { default: '1.0' },
      });
      assert.equal(answer.statusCode, 201, answer.body);
      ids.push(answer.json().device.id);
    }
    const group = (await api('POST', '/api/v1/groups', { productId: product.id, name: 'north' })).json();
    await api('POST', `/api/v1/groups/${group.id}/members`, { deviceIds: ids.slice(0, 2) });
    const used = await upload(product.id, '2.0', 'in use');
    await upload(product.id, '2.1', 'scratch');
    const plan = await api('POST', '/api/v1/plans', {
      name: 'keeps 2.0',
      productId: product.id,
      firmwarePackageId: used,
      target: { kind: 'all' },
    });
    assert.equal(plan.statusCode, 201, plan.body);
    await h.app.services.accounts.createUser({
      username: 'vera',
      password: 'vera-first-password',
      role: 'viewer',
    });
    mkdirSync(screenshots, { recursive: true });
    page = await open();
  });
  after(() => h?.close());

  // Each test's last page is checked with axe-core; the file ends asserting no serious violation.
  let checked = 0;
  afterEach(async () => {
    if (page) await h.checkA11y(page, `console-manage ${++checked}`);
  });

  it('edits a product, removes a module, refuses to delete a product in use and deletes another', async () => {
    await page.goto(`${h.base}/products/${product.id}`);
    await page.getByRole('heading', { name: 'Meter' }).waitFor();
    await page.getByRole('button', { name: 'Edit', exact: true }).first().click();
    await page.getByRole('dialog').getByLabel('Description').fill('Pilot meters of the north');
    await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
    await page.locator('.ant-descriptions').getByText('Pilot meters of the north').waitFor();
    await page
      .getByRole('row', { name: /tmp/ })
      .getByRole('button', { name: /Delete/ })
      .click();
    await answerQuestion(page, 'Remove module tmp from the product?', 'Delete');
    await page.getByRole('cell', { name: 'tmp', exact: true }).waitFor({ state: 'detached' });
    // A product with devices: the server refuses, and says why.
    await page
      .getByRole('button', { name: /Delete/ })
      .first()
      .click();
    await answerQuestion(page, 'Delete Meter?', 'Delete');
    await page.locator('.ant-message-error').waitFor();
    await page.getByRole('heading', { name: 'Meter' }).waitFor();
    await page.goto(`${h.base}/products`);
    await page.getByRole('link', { name: 'Spare' }).click();
    await page
      .getByRole('button', { name: /Delete/ })
      .first()
      .click();
    await answerQuestion(page, 'Delete Spare?', 'Delete');
    await page.getByRole('heading', { name: 'Products' }).waitFor();
    await page.getByRole('link', { name: 'Meter' }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'Spare' }).count(), 0);
  });

  it("edits a device's tags, gives it a new secret and deletes it", async () => {
    await page.goto(`${h.base}/devices`);
    await page.getByRole('link', { name: 'd-3' }).click();
    await page.getByRole('heading', { name: 'd-3' }).waitFor();
    await page.getByRole('button', { name: 'Edit tags' }).click();
    const tags = page.getByRole('dialog').getByLabel('Tags');
    await tags.fill('pilot');
    await tags.press('Enter');
    await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
    await page.locator('.ant-descriptions').getByText('pilot', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'New secret' }).click();
    await answerQuestion(page, 'Give d-3 a new secret? The old one stops working at once.', 'New secret');
    assert.ok(((await page.getByTestId('secret').textContent()) ?? '').length >= 16);
    await page.getByRole('button', { name: 'OK' }).click();
    await page.getByRole('button', { name: /Delete/ }).click();
    await answerQuestion(page, 'Delete d-3?', 'Delete');
    await page.getByRole('heading', { name: 'Devices' }).waitFor();
    await page.getByTestId('device-total').getByText('Total: 2').waitFor();
    assert.equal(await page.getByRole('link', { name: 'd-3' }).count(), 0);
  });

  it('shows member counts, renames a group, previews a filter, removes a member and deletes the group', async () => {
    await page.getByRole('menuitem', { name: 'Groups' }).click();
    const row = page.getByRole('row', { name: /north/ });
    await row.getByRole('cell', { name: '2', exact: true }).waitFor();
    await row.getByRole('button', { name: 'Edit', exact: true }).click();
    await page.getByRole('dialog').getByLabel('Description').fill('east side');
    await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
    await row.getByRole('cell', { name: 'east side' }).waitFor();
    await row.getByRole('button', { name: 'Add devices' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.locator('.ant-radio-button-wrapper', { hasText: 'By filter' }).click();
    await dialog.getByTestId('group-filter-preview').getByText('2 devices of the product match').waitFor();
    await dialog.getByRole('textbox', { name: 'Name' }).fill('d-1');
    await dialog.getByTestId('group-filter-preview').getByText('1 devices of the product match').waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await row.getByRole('button', { name: 'Members' }).click();
    await page.getByRole('link', { name: 'd-1' }).waitFor();
    await page
      .getByRole('row', { name: /d-1/ })
      .getByRole('button', { name: /Remove from group/ })
      .click();
    await answerQuestion(page, 'Remove d-1 from the group north?', 'Remove from group');
    await page.getByRole('link', { name: 'd-1' }).waitFor({ state: 'detached' });
    await page.getByRole('menuitem', { name: 'Groups' }).click();
    await row.getByRole('cell', { name: '1', exact: true }).waitFor();
    await row.getByRole('button', { name: /Delete/ }).click();
    await answerQuestion(page, 'Delete group north? Its 1 devices stay.', 'Delete');
    await page.getByRole('row', { name: /north/ }).waitFor({ state: 'detached' });
  });

  it('shows a package’s hashes, edits it, refuses to delete one a plan uses and deletes an unused one', async () => {
    await page.getByRole('menuitem', { name: 'Firmware' }).click();
    const used = page.getByRole('row', { name: /in use/ });
    await used.getByRole('button', { name: 'Expand row' }).click();
    const sha256 = createHash('sha256').update(image).digest('hex');
    await page.getByText(sha256).waitFor();
    await page.screenshot({ path: join(screenshots, 'firmware-details.png'), fullPage: true });
    await used.getByRole('button', { name: 'Edit', exact: true }).click();
    await page.getByRole('dialog').getByLabel('Release notes').fill('Fixes the metering error');
    await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
    await page.locator('[data-testid^=firmware-details]').getByText('Fixes the metering error').waitFor();
    await used.getByRole('button', { name: /Delete/ }).click();
    await answerQuestion(page, 'A package a plan uses is refused.', 'Delete');
    await page.locator('.ant-message-error').waitFor();
    await used.waitFor();
    const scratch = page.getByRole('row', { name: /scratch/ });
    await scratch.getByRole('button', { name: /Delete/ }).click();
    await answerQuestion(page, 'A package a plan uses is refused.', 'Delete');
    await scratch.waitFor({ state: 'detached' });
  });

  it("resets another user's password, which signs them in from then on", async () => {
    await page.goto(`${h.base}/settings/users`);
    await page.getByRole('row', { name: /vera/ }).getByRole('button', { name: 'Reset password' }).click();
    await page.getByRole('dialog').getByLabel('New password').fill('vera-second-password');
    await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
    await page.getByText('Password of vera changed').waitFor();
    const vera = await open('vera', 'vera-second-password');
    await vera.context().close();
  });

  it('met no serious or critical accessibility violation on any page (axe-core)', () => {
    assert.deepEqual(h.a11yViolations, []);
  });
});

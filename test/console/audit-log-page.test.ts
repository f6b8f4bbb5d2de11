// The console's audit log page (issue 18, admins): the management changes newest first, filtered
// by actor, entity and time, a change's before and after, and the filtered log exported as CSV.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, afterEach, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { browserSkipReason, type ConsoleHarness, startConsole } from '../support/console-browser.ts';

const skip = browserSkipReason();

describe('the audit log page', { skip, timeout: 120_000 }, () => {
  let c: ConsoleHarness;
  let page: Page;

  before(async () => {
    c = await startConsole({ scheduler: false });
    const call = async (method: 'POST' | 'PATCH', url: string, payload: object) => {
      const answer = await c.app.http.inject({ method, url, headers: c.headers, payload });
      assert.ok(answer.statusCode < 300, answer.body);
      return answer.json();
    };
    const product = await call('POST', '/api/v1/products', { name: 'Audited meter' });
    await call('PATCH', `/api/v1/products/${product.id}`, { name: 'Audited meter 2' });
    await call('POST', '/api/v1/groups', { productId: product.id, name: 'audited group' });
    ({ page } = await c.newPage());
    await c.signIn(page);
  });
  after(() => c?.close());

  // Each test's last page is checked with axe-core; the file ends asserting no serious violation.
  let checked = 0;
  afterEach(async () => {
    if (page) await c.checkA11y(page, `audit-log-page ${++checked}`);
  });

  const rows = () => page.locator('.ant-table-tbody tr.ant-table-row');
  /** Waits until the table shows exactly `n` rows. */
  async function rowCount(n: number): Promise<void> {
    await rows().nth(n).waitFor({ state: 'detached' });
    await rows()
      .nth(n - 1)
      .waitFor();
  }

  it('lists the changes newest first, with who made them and the entity before and after', async () => {
    await page.getByRole('menuitem', { name: 'Settings' }).click();
    await page.getByRole('menuitem', { name: 'Audit log' }).click();
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    // The sign-in, the group, the product's update and its creation.
    await rows().nth(3).waitFor();
    assert.deepEqual((await rows().locator('td:nth-child(5)').allTextContents()).slice(0, 4), [
      'login',
      'create',
      'update',
      'create',
    ]);
    const update = rows().filter({ hasText: 'update' });
    await update.getByText('key:console test').waitFor();
    await update.getByRole('button', { name: /expand/i }).click();
    await page.locator('pre', { hasText: '"name": "Audited meter"' }).waitFor();
    await page.locator('pre', { hasText: '"name": "Audited meter 2"' }).waitFor();
  });

  it('filters by actor, by entity and by time', async () => {
    const actor = page.getByRole('searchbox', { name: 'Actor' });
    await actor.fill('user:admin');
    await actor.press('Enter');
    await rows().filter({ hasText: 'login' }).waitFor();
    await rowCount(1);
    await actor.fill('');
    await actor.press('Enter');
    await rows().nth(3).waitFor();

    const entity = page.getByRole('combobox', { name: 'Entity' });
    await entity.fill('product');
    await rowCount(2);
    assert.deepEqual(await rows().locator('td:nth-child(5)').allTextContents(), ['update', 'create']);

    // From a time to come: nothing yet.
    await page.getByLabel('From').fill('2999-01-01T00:00');
    await page.getByText('No management change matches').waitFor();
    await page.getByLabel('From').fill('2000-01-01T00:00');
    await rows().nth(1).waitFor();
  });

  it('exports what the filter shows as CSV', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: /Export CSV/ }).click(),
    ]);
    const lines = readFileSync((await download.path())!, 'utf8')
      .trim()
      .split('\r\n');
    assert.match(lines[0]!, /^id,at,actor,/);
    assert.equal(lines.length, 3, lines.join('\n'));
    assert.ok(
      lines.slice(1).every((line) => line.includes(',product,')),
      lines.join('\n'),
    );
  });

  it('met no serious or critical accessibility violation on any page (axe-core)', () => {
    assert.deepEqual(c.a11yViolations, []);
  });
});

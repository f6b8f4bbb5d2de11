// The plan page on a 390 px phone (issue 19: the device table hid the reason and the actions
// off-screen): each device is a card with its status, why it waits, whether it is online and
// the actions that apply, all inside the screen; an action works from the card.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { contrastRatio } from '../../packages/console/src/theme/contrast-colors.ts';
import { browserSkipReason, type ConsoleHarness, startConsole } from '../support/console-browser.ts';

/** `rgb(r, g, b)` as `#rrggbb`. */
const hexOf = (rgb: string) =>
  `#${(rgb.match(/\d+/g) ?? [])
    .slice(0, 3)
    .map((n) => Number(n).toString(16).padStart(2, '0'))
    .join('')}`;

const skip = browserSkipReason();
const screenshots = join(import.meta.dirname, '..', '..', '.test-output', 'screenshots');

describe('the plan page on a phone', { skip, timeout: 180_000 }, () => {
  let h: ConsoleHarness;
  let page: Page;
  let planId: number;
  const api = (method: string, url: string, payload?: unknown) =>
    h.app.http.inject({
      method: method as 'GET',
      url,
      headers: h.headers,
      ...(payload !== undefined && { payload: payload as object }),
    });

  before(async () => {
    h = await startConsole();
    mkdirSync(screenshots, { recursive: true });
    const product = (await api('POST', '/api/v1/products', { name: 'Meter' })).json();
    const deviceIds: number[] = [];
    for (const name of ['phone-1', 'phone-2']) {
      const answer = await api('POST', `/api/v1/products/${product.id}/devices`, {
        name,
        versions: { default: '1.0' },
      });
      deviceIds.push(answer.json().device.id);
    }
    const form = new FormData();
    form.set('version', '2.0');
    form.set('file', new Blob([Buffer.alloc(2048, 5)]), 'app.bin');
    const uploaded = await fetch(`${h.base}/api/v1/products/${product.id}/firmware`, {
      method: 'POST',
      headers: h.headers,
      body: form,
    });
    assert.equal(uploaded.status, 201, await uploaded.clone().text());
    const plan = await api('POST', '/api/v1/plans', {
      name: 'By hand on a phone',
      productId: product.id,
      firmwarePackageId: ((await uploaded.json()) as { id: number }).id,
      target: { kind: 'devices', deviceIds },
      mode: 'manual',
      texts: { zh: '修复计量误差', en: 'Fixes the metering error' },
    });
    assert.equal(plan.statusCode, 201, plan.body);
    planId = plan.json().id;
    const published = await api('POST', `/api/v1/plans/${planId}/publish`, {});
    assert.equal(published.statusCode, 200, published.body);
    ({ page } = await h.newPage());
    await page.setViewportSize({ width: 390, height: 844 });
    await h.signIn(page);
  });
  after(() => h?.close());

  // Each test's last page is checked with axe-core; the file ends asserting no serious violation.
  let checked = 0;
  afterEach(async () => {
    if (page) await h.checkA11y(page, `plan-phone ${++checked}`);
  });

  it('shows each device as a card with its reason and actions inside the screen', async () => {
    await page.goto(`${h.base}/plans/${planId}`);
    const card = page.getByTestId('upgrade-card').filter({ hasText: 'phone-1' });
    await card.getByText('waits for confirmation').waitFor();
    await card.getByText('never seen').waitFor();
    const confirm = card.getByRole('button', { name: 'Confirm', exact: true });
    const box = await confirm.boundingBox();
    assert.ok(box && box.x >= 0 && box.x + box.width <= 390, `Confirm at ${JSON.stringify(box)}`);
    const cancel = await card.getByRole('button', { name: 'Cancel', exact: true }).boundingBox();
    assert.ok(cancel && cancel.x + cancel.width <= 390, `Cancel at ${JSON.stringify(cancel)}`);
    // The status tag as drawn: its text on its background at WCAG AA (issue 19: Pending and Pushed were not).
    const [text, background] = await card
      .locator('.ant-tag')
      .first()
      .evaluate((tag) => {
        // Runs in the page (the test's own types have no DOM).
        const style = (
          globalThis as unknown as {
            getComputedStyle(e: unknown): { color: string; backgroundColor: string };
          }
        ).getComputedStyle(tag);
        return [style.color, style.backgroundColor];
      });
    const ratio = contrastRatio(hexOf(text!), hexOf(background!));
    assert.ok(ratio >= 4.5, `status tag ${text} on ${background}: ${ratio.toFixed(2)}:1`);
    const width = await page.evaluate<number>('document.documentElement.scrollWidth');
    assert.ok(width <= 390, `the page is ${width} px wide`);
    await page.screenshot({ path: join(screenshots, 'plan-phone-cards.png'), fullPage: true });
    await confirm.click();
    await page.getByText('phone-1 confirmed').waitFor();
    await card.getByText('awaiting confirmation').waitFor({ state: 'detached' });
  });

  it('keeps the table on a wide screen', async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.getByRole('row', { name: /phone-2/ }).waitFor();
    assert.equal(await page.getByTestId('upgrade-card').count(), 0);
  });

  it('met no serious or critical accessibility violation on any page (axe-core)', () => {
    assert.deepEqual(h.a11yViolations, []);
  });
});

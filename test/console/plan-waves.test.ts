// A plan of waves in the console (issue 18): the plans list shows each started plan's progress
// and the wave under way; the plan page shows each wave's state and progress and, at a manual
// gate, the approve button, which starts the next wave. The scheduler is ticked by hand.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { seedFleet, seedPackage } from '../../packages/server/src/test-support/plan-fleet.ts';
import { browserSkipReason, type ConsoleHarness, startConsole } from '../support/console-browser.ts';

const skip = browserSkipReason();

import { answerQuestion } from '../support/console-question.ts';

describe('a plan of waves in the console', { skip, timeout: 120_000 }, () => {
  let c: ConsoleHarness;
  let page: Page;
  let planId: number;

  before(async () => {
    c = await startConsole({ scheduler: false });
    const { productId } = await seedFleet(c.app.database, 3);
    const firmwarePackageId = await seedPackage(c.app.database, productId, '2.0');
    const created = await c.app.http.inject({
      method: 'POST',
      url: '/api/v1/plans',
      headers: c.headers,
      payload: {
        name: 'canary then rest',
        productId,
        firmwarePackageId,
        target: { kind: 'all' },
        retry: { attempts: 0, intervalSeconds: 60 },
        waves: [{ count: 1, manualGate: true }, {}],
      },
    });
    assert.equal(created.statusCode, 201, created.body);
    planId = created.json().id;
    const published = await c.app.http.inject({
      method: 'POST',
      url: `/api/v1/plans/${planId}/publish`,
      headers: c.headers,
      payload: {},
    });
    assert.equal(published.statusCode, 200, published.body);
    // The canary wave is pushed, succeeds, and the plan waits at its gate.
    await c.app.scheduler.tick();
    const upgrades = await c.app.http.inject({ url: `/api/v1/plans/${planId}/upgrades`, headers: c.headers });
    const canaries = (upgrades.json().items as { deviceId: number; status: string }[]).filter(
      (u) => u.status === 'pushed',
    );
    assert.equal(canaries.length, 1, upgrades.body);
    await c.app.services.upgrades.reportDeviceEvents(
      canaries.map((u) => ({ deviceId: u.deviceId, event: { type: 'progress', percent: 100 } })),
    );
    await c.app.scheduler.tick();
    ({ page } = await c.newPage());
    await c.signIn(page);
  });
  after(() => c?.close());

  // Each test's last page is checked with axe-core; the file ends asserting no serious violation.
  let checked = 0;
  afterEach(async () => {
    if (page) await c.checkA11y(page, `plan-waves ${++checked}`);
  });

  /** The plans list's progress bar of the plan: the % of its devices that ended. */
  async function planProgress(): Promise<string | null> {
    return page.getByTestId(`plan-progress-${planId}`).getByRole('progressbar').getAttribute('aria-valuenow');
  }

  it('shows the progress of each plan and its wave in the plans list', async () => {
    await page.getByRole('menuitem', { name: 'Plans' }).click();
    await page.getByRole('link', { name: 'canary then rest' }).waitFor();
    await page.getByTestId(`plan-progress-${planId}`).getByText('wave 1 of 2').waitFor();
    assert.equal(await planProgress(), '33');
  });

  it('approves the gate from the plan page and follows the next wave', async () => {
    await page.getByRole('link', { name: 'canary then rest' }).click();
    const waves = page.getByTestId('plan-waves');
    await waves.getByRole('row', { name: /^1 1 Awaiting approval/ }).waitFor();
    const canaryBar = waves.getByRole('row', { name: /^1 / }).getByRole('progressbar');
    assert.equal(await canaryBar.getAttribute('aria-valuenow'), '100');
    await page.getByTestId('approve-wave').click();
    await answerQuestion(page, 'Start wave 2?', 'Approve next wave');
    await page.getByText('Next wave started').waitFor();
    await waves.getByRole('row', { name: /^1 1 Completed/ }).waitFor();
    await waves.getByRole('row', { name: /^2 .*Rolling out/ }).waitFor();
    await page.getByTestId('approve-wave').waitFor({ state: 'detached' });

    await page.getByRole('menuitem', { name: 'Plans' }).click();
    await page.getByTestId(`plan-progress-${planId}`).getByText('wave 2 of 2').waitFor();
  });

  it('met no serious or critical accessibility violation on any page (axe-core)', () => {
    assert.deepEqual(c.a11yViolations, []);
  });
});

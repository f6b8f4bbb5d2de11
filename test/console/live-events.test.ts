// The console follows plans through the event stream (issue 18): with polling turned off, a plan
// page shows each change the stream announces (the plan starting, devices succeeding and failing,
// the plan completing); after every connection is dropped the browser resumes with Last-Event-ID
// and the change made meanwhile arrives; with the stream refused, the page says so and polls.
// The scheduler is ticked by hand, so changes happen when the test says.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { seedFleet, seedPackage } from '../../packages/server/src/test-support/plan-fleet.ts';
import { browserSkipReason, type ConsoleHarness, startConsole } from '../support/console-browser.ts';

const skip = browserSkipReason();

describe('the console and the live event stream', { skip, timeout: 120_000 }, () => {
  let c: ConsoleHarness;
  let productId: number;
  let deviceIds: number[];
  let packageId: number;

  before(async () => {
    c = await startConsole({ scheduler: false });
    ({ productId, deviceIds } = await seedFleet(c.app.database, 5));
    packageId = await seedPackage(c.app.database, productId, '2.0');
  });
  after(() => c?.close());

  async function publishPlan(name: string, devices: number[]): Promise<number> {
    const created = await c.app.http.inject({
      method: 'POST',
      url: '/api/v1/plans',
      headers: c.headers,
      payload: {
        name,
        productId,
        firmwarePackageId: packageId,
        target: { kind: 'devices', deviceIds: devices },
        retry: { attempts: 0, intervalSeconds: 60 },
      },
    });
    assert.equal(created.statusCode, 201, created.body);
    const id = created.json().id as number;
    const published = await c.app.http.inject({
      method: 'POST',
      url: `/api/v1/plans/${id}/publish`,
      headers: c.headers,
      payload: {},
    });
    assert.equal(published.statusCode, 200, published.body);
    return id;
  }

  async function count(page: Page, title: string, value: number): Promise<void> {
    await page
      .locator('.ant-statistic')
      .filter({ hasText: new RegExp(`^${title}${value}$`) })
      .waitFor();
  }

  it('follows a plan through the event stream with polling turned off', async () => {
    const id = await publishPlan('streamed', deviceIds.slice(0, 2));
    const { context, page } = await c.newPage({ init: () => localStorage.setItem('updraft.polling', 'off') });
    const planReads: string[] = [];
    let streams = 0;
    page.on('request', (request) => {
      const path = new URL(request.url()).pathname;
      if (path === '/api/v1/events') streams++;
      if (path === `/api/v1/plans/${id}/report`) planReads.push(path);
    });
    await c.signIn(page);
    streams = 0;
    await page.goto(`${c.base}/plans/${id}`);
    await page.getByTestId('live-state').filter({ hasText: 'Live' }).waitFor();
    await page.getByRole('heading', { name: /streamed/ }).waitFor();
    await count(page, 'Pending', 2);

    // Nothing changes, nothing is asked for; the scheduler's push is an event the page follows.
    const settled = planReads.length;
    await c.app.scheduler.tick();
    await count(page, 'Pushed', 2);
    assert.ok(planReads.length > settled, 'the push was an event the page reloaded on');

    await c.app.services.upgrades.reportDeviceEvents([
      { deviceId: deviceIds[0]!, event: { type: 'progress', percent: 100 } },
    ]);
    await count(page, 'Success', 1);
    await c.app.services.upgrades.reportDeviceEvents([
      { deviceId: deviceIds[1]!, event: { type: 'failed', reason: 'write_failed' } },
    ]);
    await count(page, 'Failure', 1);
    await c.app.scheduler.tick();
    await page.getByRole('heading', { name: /streamed.*completed/ }).waitFor();
    // The page's one stream carried it all.
    assert.equal(streams, 1);
    await context.close();
  });

  it('resumes after a dropped connection with Last-Event-ID, polling still off', async () => {
    const id = await publishPlan('resumed', deviceIds.slice(3, 4));
    const { context, page } = await c.newPage({ init: () => localStorage.setItem('updraft.polling', 'off') });
    await c.signIn(page);
    await page.goto(`${c.base}/plans/${id}`);
    const live = page.getByTestId('live-state');
    await live.filter({ hasText: 'Live' }).waitFor();
    await c.app.scheduler.tick();
    await count(page, 'Pushed', 1);

    // Every connection dropped (a proxy restarting): the browser reconnects by itself, saying
    // which event it saw last, and the change made meanwhile reaches the page.
    const reconnect = page.waitForRequest((r) => new URL(r.url()).pathname === '/api/v1/events');
    c.app.http.server.closeAllConnections();
    await c.app.services.upgrades.reportDeviceEvents([
      { deviceId: deviceIds[3]!, event: { type: 'progress', percent: 100 } },
    ]);
    await count(page, 'Success', 1);
    await live.filter({ hasText: 'Live' }).waitFor();
    // The browser's network stack adds the header: allHeaders() has it, headers() does not.
    const resumedFrom = (await (await reconnect).allHeaders())['last-event-id'];
    assert.match(resumedFrom ?? '', /^\d+$/, 'the browser resumed with Last-Event-ID');
    await context.close();
  });

  it('says the stream is unavailable and polls instead', async () => {
    const id = await publishPlan('polled', deviceIds.slice(4, 5));
    const { context, page } = await c.newPage();
    let refused = 0;
    await page.route('**/api/v1/events**', (route) => {
      refused++;
      return route.fulfill({ status: 503, contentType: 'application/json', body: '{"code":"UNAVAILABLE"}' });
    });
    await c.signIn(page);
    await page.goto(`${c.base}/plans/${id}`);
    await page.getByTestId('live-state').filter({ hasText: 'Polling' }).waitFor();
    await page.getByRole('heading', { name: /polled/ }).waitFor();
    await c.app.scheduler.tick();
    await count(page, 'Devices', 1);
    await c.app.services.upgrades.reportDeviceEvents([
      { deviceId: deviceIds[4]!, event: { type: 'progress', percent: 100 } },
    ]);
    await count(page, 'Success', 1);
    assert.ok(refused >= 1);
    await context.close();
  });
});

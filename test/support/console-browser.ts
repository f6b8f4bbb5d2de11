// Support for the console's browser tests: the console built, a server on loopback (SQLite in a
// throwaway folder), Debian's chromium through playwright-core, an admin API key for set-up
// calls, and sign-in. Each test file starts its own (test/console/*.test.ts). Every page it opens
// is watched for Content Security Policy violations and files that were not found, and can be
// checked for accessibility (console-axe.ts) and photographed into .test-output/screenshots/;
// itMetNoPageFaults ends a file with the tests that none of its pages had a fault.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { type App, type BuildOptions, buildApp, loadConfig } from '@updraft/server';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { seriousViolations } from './console-axe.ts';

const root = join(import.meta.dirname, '..', '..');
const chromiumPath = '/usr/bin/chromium';
const screenshots = join(root, '.test-output', 'screenshots');
export const adminPassword = 'console-admin-password';

/** Why a browser test cannot run here (undefined: it can); on CI a missing browser is an error. */
export function browserSkipReason(): string | undefined {
  if (process.env['UPDRAFT_TEST_DB'] === 'postgres') return 'the console tests run in the SQLite pass only';
  if (existsSync(chromiumPath)) return undefined;
  const message = `${chromiumPath} is missing: apt-get install -y chromium (.ci/run does)`;
  if (process.env['CI'] === 'true') throw new Error(message);
  return message;
}

export interface PageOptions {
  init?: () => void;
  /** Default 1280×800. */
  viewport?: { width: number; height: number };
  /** 'reduce' unless given: the system's motion preference the page sees. */
  reducedMotion?: 'reduce' | 'no-preference';
  /** A phone: touch, and the viewport's width as the layout width. */
  isMobile?: boolean;
}

export interface ConsoleHarness {
  app: App;
  base: string;
  browser: Browser;
  /** The server's data folder (removed by close()); SDK devices keep their state under it. */
  dataDir: string;
  /** Headers of an admin API key, for set-up calls. */
  headers: Record<string, string>;
  /** Content Security Policy violations any page reported (the headers must fit the console). */
  cspViolations: string[];
  /** Files a page asked for and did not get (issue 19: /favicon.ico 404 on every load). */
  missingFiles: string[];
  /** Serious and critical accessibility violations found by checkA11y, each named by its page. */
  a11yViolations: string[];
  /** A new page (in its own context, so its own session and storage), English. */
  newPage(options?: PageOptions): Promise<{ context: BrowserContext; page: Page }>;
  signIn(page: Page, username?: string, password?: string): Promise<void>;
  /** A full-page screenshot as .test-output/screenshots/<name>.png. */
  shoot(page: Page, name: string): Promise<void>;
  /** Runs axe-core on the page as it is; what it finds serious or critical joins a11yViolations. */
  checkA11y(page: Page, name: string): Promise<void>;
  /** A screenshot of the page as it stands (shoot), and its accessibility check (checkA11y). */
  look(page: Page, name: string): Promise<void>;
  close(): Promise<void>;
}

export async function startConsole(options: BuildOptions = {}): Promise<ConsoleHarness> {
  const build = spawnSync(process.execPath, [join(root, 'packages/console/scripts/build-if-stale.ts')], {
    encoding: 'utf8',
  });
  assert.equal(build.status, 0, `console build failed:\n${build.stdout}\n${build.stderr}`);
  mkdirSync(screenshots, { recursive: true });
  const dataDir = mkdtempSync(join(tmpdir(), 'updraft-console-'));
  const app = await buildApp(loadConfig({}, { dataDir, logLevel: 'silent', adminPassword }), options);
  await app.http.listen({ host: '127.0.0.1', port: 0 });
  const address = app.http.server.address();
  assert.ok(address && typeof address === 'object');
  const base = `http://127.0.0.1:${address.port}`;
  const key = await app.services.accounts.createApiKey(null, { name: 'console test', role: 'admin' });
  const browser = await chromium.launch({
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
  const cspViolations: string[] = [];
  const missingFiles: string[] = [];
  const a11yViolations: string[] = [];
  async function shoot(page: Page, name: string) {
    await page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });
  }
  async function checkA11y(page: Page, name: string) {
    // A dialog still fading in or out is measured at its passing opacity: wait for what ends.
    await page.evaluate(`Promise.all(document.getAnimations()
      .filter((a) => a.effect?.getComputedTiming().iterations !== Infinity)
      .map((a) => a.finished.catch(() => undefined)))`);
    const width = page.viewportSize()?.width ?? 0;
    for (const found of await seriousViolations(page)) a11yViolations.push(`${name} @${width}px: ${found}`);
  }
  return {
    app,
    base,
    browser,
    dataDir,
    headers: { authorization: `Bearer ${key.secret}` },
    cspViolations,
    missingFiles,
    a11yViolations,
    async newPage(options = {}) {
      const context = await browser.newContext({
        viewport: options.viewport ?? { width: 1280, height: 800 },
        locale: 'en-US',
        // Reduced motion (the console then turns antd's motion off): a click while a dialog or a
        // question still zooms in can land beside its button on a loaded machine, and then nothing
        // happens (CI saw it twice). console-motion.test.ts checks both preferences.
        reducedMotion: options.reducedMotion ?? 'reduce',
        ...(options.isMobile && { isMobile: true, hasTouch: true }),
      });
      if (options.init) await context.addInitScript(options.init);
      const page = await context.newPage();
      page.on('console', (message) => {
        if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
      });
      page.on('response', (response) => {
        const path = new URL(response.url()).pathname;
        if (response.status() === 404 && !path.startsWith('/api/')) missingFiles.push(path);
      });
      // Every wait is for something the page shows within moments. 30 s, not less: CI runs the
      // browser beside other suites on two cores, where a debounced count and its request took
      // over 10 s.
      page.setDefaultTimeout(30_000);
      return { context, page };
    },
    async signIn(page, username = 'admin', password = adminPassword) {
      await page.goto(base);
      await page.getByLabel('Username').fill(username);
      await page.getByLabel('Password').fill(password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Overview' }).waitFor();
    },
    shoot,
    checkA11y,
    async look(page, name) {
      await shoot(page, name);
      await checkA11y(page, name);
    },
    async close() {
      await browser.close();
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A browser test file's closing tests, after every page it opened: no serious or critical
 * accessibility violation, no Content Security Policy violation, and no file that was not found.
 * `harness` gives the file's harness, started in its `before`.
 */
export function itMetNoPageFaults(
  harness: () => ConsoleHarness,
  missingFilesTitle = 'found every file it asked for',
): void {
  it('met no serious or critical accessibility violation on any page (axe-core)', () => {
    assert.deepEqual(harness().a11yViolations, []);
  });

  it('met no Content Security Policy violation on any page', () => {
    assert.deepEqual(harness().cspViolations, []);
  });

  it(missingFilesTitle, () => {
    assert.deepEqual(harness().missingFiles, []);
  });
}

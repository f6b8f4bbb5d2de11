// Support for the console's browser tests: the console built, a server on loopback (SQLite in a
// throwaway folder), Debian's chromium through playwright-core, an admin API key for set-up
// calls, and sign-in. Each test file starts its own (test/console/*.test.ts).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type App, type BuildOptions, buildApp, loadConfig } from '@updraft/server';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

const root = join(import.meta.dirname, '..', '..');
const chromiumPath = '/usr/bin/chromium';
export const adminPassword = 'console-admin-password';

/** Why a browser test cannot run here (undefined: it can); on CI a missing browser is an error. */
export function browserSkipReason(): string | undefined {
  if (process.env['UPDRAFT_TEST_DB'] === 'postgres') return 'the console tests run in the SQLite pass only';
  if (existsSync(chromiumPath)) return undefined;
  const message = `${chromiumPath} is missing: apt-get install -y chromium (.ci/run does)`;
  if (process.env['CI'] === 'true') throw new Error(message);
  return message;
}

export interface ConsoleHarness {
  app: App;
  base: string;
  browser: Browser;
  /** Headers of an admin API key, for set-up calls. */
  headers: Record<string, string>;
  /** A new page (in its own context, so its own session and storage), 1280×800, English. */
  newPage(options?: { init?: () => void }): Promise<{ context: BrowserContext; page: Page }>;
  signIn(page: Page, username?: string, password?: string): Promise<void>;
  close(): Promise<void>;
}

export async function startConsole(options: BuildOptions = {}): Promise<ConsoleHarness> {
  const build = spawnSync(process.execPath, [join(root, 'packages/console/scripts/build-if-stale.ts')], {
    encoding: 'utf8',
  });
  assert.equal(build.status, 0, `console build failed:\n${build.stdout}\n${build.stderr}`);
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
      '--disable-sync',
    ],
  });
  return {
    app,
    base,
    browser,
    headers: { authorization: `Bearer ${key.secret}` },
    async newPage(options = {}) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
      if (options.init) await context.addInitScript(options.init);
      const page = await context.newPage();
      // Every wait is for something the page shows within moments. 30 s, as console.test.ts: CI
      // runs the browser beside other suites on two cores.
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
    async close() {
      await browser.close();
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

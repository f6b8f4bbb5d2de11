// Swagger UI at /docs in a real browser (Debian's chromium through playwright-core): the two
// routes whose bodies are not JSON, the multipart firmware upload and the streamed device import,
// can be sent from the page as their OpenAPI request bodies describe them.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type App, buildApp, loadConfig } from '@updraft/server';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';

const chromiumPath = '/usr/bin/chromium';

function skipReason(): string | undefined {
  if (process.env['UPDRAFT_TEST_DB'] === 'postgres')
    return 'the Swagger UI test runs in the SQLite pass only';
  if (existsSync(chromiumPath)) return undefined;
  const message = `${chromiumPath} is missing: apt-get install -y chromium (.ci/run does)`;
  if (process.env['CI'] === 'true') throw new Error(message);
  return message;
}

const skip = skipReason();
/** What the page reported against the security headers' Content Security Policy. */
const cspViolations: string[] = [];

describe('Swagger UI at /docs', { skip, timeout: 120_000 }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'updraft-swagger-'));
  let app: App;
  let browser: Browser;
  let page: Page;
  let productId: number;

  /**
   * Opens an operation of a tag by its summary and switches it to "Try it out". The tag is typed
   * into Swagger UI's filter first: unfiltered, this Swagger UI (5.x) stops rendering after the
   * first tag once the document passes about 134 operations (README, "Known limitations").
   */
  async function tryOut(tag: string, summary: string): Promise<Locator> {
    await page.locator('input.operation-filter-input').fill(tag);
    const op = page.locator('.opblock', { hasText: summary });
    await op.locator('.opblock-summary').click();
    await op.getByRole('button', { name: 'Try it out' }).click();
    await op.getByPlaceholder('id').fill(String(productId));
    return op;
  }

  async function execute(op: Locator): Promise<{ status: string; body: string }> {
    await op.locator('button.execute').click();
    const row = op.locator('.live-responses-table tbody tr').first();
    await row.waitFor();
    const status = (await row.locator('.response-col_status').textContent()) ?? '';
    const body = (await row.locator('.response-col_description pre').first().textContent()) ?? '';
    await op.locator('button.btn-clear').click();
    return { status: status.trim(), body };
  }

  before(async () => {
    app = await buildApp(loadConfig({}, { dataDir, logLevel: 'silent', adminPassword: 'swagger-admin-pw' }));
    await app.http.listen({ host: '127.0.0.1', port: 0 });
    const address = app.http.server.address();
    assert.ok(address && typeof address === 'object');
    const { secret } = await app.services.accounts.createApiKey(null, { name: 'swagger', role: 'operator' });
    productId = (await app.services.catalog.createProduct({ name: 'Swagger meter' })).id;
    browser = await chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, locale: 'en-US' });
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });
    await page.goto(`http://127.0.0.1:${address.port}/docs/`);
    await page.getByRole('button', { name: 'Authorize' }).first().click();
    await page.locator('.modal-ux-content input').first().fill(secret);
    await page.locator('.modal-ux-content button.authorize').first().click();
    await page.locator('.modal-ux button.btn-done').first().click();
  });

  after(async () => {
    await browser?.close();
    await app?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('uploads a two-file firmware package from the form', async () => {
    const files = [
      ['app.bin', 'application image'],
      ['boot.bin', 'boot loader'],
    ] as const;
    for (const [name, content] of files) writeFileSync(join(dataDir, name), content);
    const op = await tryOut('firmware', 'Upload a firmware package');
    // The optional fields start empty (an empty field counts as absent), module as `default`.
    assert.equal(await op.getByPlaceholder('sourceVersion', { exact: true }).inputValue(), '');
    assert.equal(await op.getByPlaceholder('module', { exact: true }).inputValue(), 'default');
    await op.getByPlaceholder('version', { exact: true }).fill('4.2.0');
    await op.getByPlaceholder('releaseNotes', { exact: true }).fill('From Swagger UI');
    await op.locator('button.json-schema-form-item-add').click();
    const inputs = op.locator('input[type=file]');
    assert.equal(await inputs.count(), 2, 'one file input per file, nothing else');
    await inputs.nth(0).setInputFiles(join(dataDir, files[0][0]));
    await inputs.nth(1).setInputFiles(join(dataDir, files[1][0]));
    const { status, body } = await execute(op);
    assert.equal(status, '201', body);
    const pkg = JSON.parse(body);
    assert.equal(pkg.version, '4.2.0');
    assert.equal(pkg.releaseNotes, 'From Swagger UI');
    assert.deepEqual(
      pkg.files.map((f: { name: string; sha256: string }) => [f.name, f.sha256]),
      files.map(([name, content]) => [name, createHash('sha256').update(content).digest('hex')]),
    );
  });

  it('imports devices as CSV, NDJSON and a JSON array', async () => {
    const op = await tryOut('devices', 'Import devices from CSV');
    for (const [type, text, created] of [
      ['text/csv', 'name,tags\nsw-1,north\nsw-2,\n', 2],
      ['application/x-ndjson', '{"name":"sw-3"}\n{"name":"sw-4","tags":["a"]}\n', 2],
      ['application/json', '[{"name":"sw-5"},{"name":"bad name"}]', 1],
    ] as const) {
      await op.locator('select.content-type').first().selectOption(type);
      await op.locator('textarea.body-param__text').fill(text);
      const { status, body } = await execute(op);
      assert.equal(status, '200', `${type}: ${body}`);
      // Swagger UI shows the NDJSON answer as it came, after a note that it is not one JSON value.
      const last = body.slice(body.lastIndexOf('{"summary"')).trim();
      assert.equal(JSON.parse(last).summary.created, created, `${type}: ${body}`);
    }
    const listed = await app.services.devices.listDevices({ productId }, { limit: 10 });
    assert.deepEqual(
      listed.items.map((d) => d.name),
      ['sw-1', 'sw-2', 'sw-3', 'sw-4', 'sw-5'],
    );
  });

  it('loads under the Content Security Policy without a violation', () => {
    assert.deepEqual(cspViolations, []);
  });
});

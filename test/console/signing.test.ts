// Signed firmware in the console (issue 20): the product page lists the product's signing keys
// (an admin adds one, adds another in PEM and retires it with a cut-off, revokes the first, asked
// first) and switches "Require signed firmware"; the firmware list shows each package's signature
// state (signed by which key, by a retired key, unsigned, invalid once its key is revoked).
import assert from 'node:assert/strict';
import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { after, afterEach, before, describe, it } from 'node:test';
import { keyIdOf, rawPublicKey, signManifest } from '@updraft/protocol';
import type { Page } from 'playwright-core';
import { browserSkipReason, type ConsoleHarness, startConsole } from '../support/console-browser.ts';
import { answerQuestion } from '../support/console-question.ts';

const skip = browserSkipReason();
const key = generateKeyPairSync('ed25519');
const keyId = keyIdOf(key.publicKey);
const next = generateKeyPairSync('ed25519');
const nextId = keyIdOf(next.publicKey);

describe('signed firmware in the console', { skip, timeout: 120_000 }, () => {
  let c: ConsoleHarness;
  let page: Page;
  let product: { id: number; productKey: string };
  const packages = new Map<string, number>();

  /** Uploads one file; signed: with its manifest and signature as text fields (raw multipart:
   *  FormData would turn the manifest's line ends into CRLF, which the signature does not cover). */
  async function upload(version: string, signed: boolean, by = key): Promise<number> {
    const content = Buffer.from(`image ${version} `.repeat(40));
    const fields: Record<string, string> = { version };
    if (signed) {
      const sha256 = createHash('sha256').update(content).digest('hex');
      const manifest = signManifest(
        {
          product: product.productKey,
          module: 'default',
          version,
          type: 'full',
          sourceVersion: null,
          sourceSha256: null,
          targetSha256: sha256,
          securityVersion: 3,
          allowDowngrade: false,
          signedAt: Math.floor(Date.now() / 1000),
          keyId: keyIdOf(createPublicKey(by.privateKey)),
          files: [{ index: 1, name: 'app.bin', size: content.length, sha256 }],
        },
        by.privateKey,
      );
      fields['manifest'] = manifest.bytes.toString('utf8');
      fields['signature'] = manifest.signature;
    }
    const boundary = 'console-signing-test';
    const body = Buffer.concat([
      ...Object.entries(fields).map(([name, value]) =>
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`),
      ),
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="app.bin"\r\n` +
          'Content-Type: application/octet-stream\r\n\r\n',
      ),
      content,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const answer = await c.app.http.inject({
      method: 'POST',
      url: `/api/v1/products/${product.id}/firmware`,
      headers: { ...c.headers, 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: body,
    });
    assert.equal(answer.statusCode, 201, answer.body);
    return answer.json().id;
  }

  before(async () => {
    c = await startConsole({ scheduler: false });
    const created = await c.app.http.inject({
      method: 'POST',
      url: '/api/v1/products',
      headers: c.headers,
      payload: { name: 'Signed meter' },
    });
    product = created.json();
    ({ page } = await c.newPage());
    await c.signIn(page);
  });
  after(() => c?.close());

  // Each test's last page is checked with axe-core; the file ends asserting no serious violation.
  let checked = 0;
  afterEach(async () => {
    if (page) await c.checkA11y(page, `signing ${++checked}`);
  });

  it('adds a signing key on the product page and lists it', async () => {
    await page.goto(`${c.base}/products/${product.id}`);
    const card = page.getByTestId('signing-card');
    await card.getByText('No signing keys').waitFor();
    assert.equal(await card.getByRole('switch', { name: 'Require signed firmware' }).isChecked(), false);
    await card.getByRole('button', { name: 'Add signing key' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name').fill('release 2026');
    await dialog.getByLabel('Public key').fill(rawPublicKey(key.publicKey));
    await dialog.getByRole('button', { name: 'Add signing key' }).click();
    const row = card.getByRole('row', { name: /release 2026/ });
    await row.getByText(keyId).waitFor();
    await row.getByText('active').waitFor();
  });

  it('shows each package signed by its key or unsigned', async () => {
    packages.set('2.0', await upload('2.0', true));
    packages.set('2.1', await upload('2.1', false));
    await page.getByRole('menuitem', { name: 'Firmware' }).click();
    await page
      .getByTestId(`signature-${packages.get('2.0')}`)
      .getByText(`Signed · ${keyId}`)
      .waitFor();
    await page
      .getByTestId(`signature-${packages.get('2.1')}`)
      .getByText('Unsigned')
      .waitFor();
  });

  it('retires a second key with a cut-off, its package still signed by a retired key', async () => {
    await page.goto(`${c.base}/products/${product.id}`);
    const card = page.getByTestId('signing-card');
    await card.getByRole('button', { name: 'Add signing key' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name').fill('release 2027');
    await dialog
      .getByLabel('Public key')
      .fill(next.publicKey.export({ format: 'pem', type: 'spki' }).toString());
    await dialog.getByRole('button', { name: 'Add signing key' }).click();
    const row = card.getByRole('row', { name: /release 2027/ });
    await row.getByText(nextId).waitFor();
    packages.set('2.2', await upload('2.2', true, next));

    await row.getByRole('button', { name: 'Retire' }).click();
    const retire = page.getByRole('dialog', { name: `Retire key ${nextId}` });
    await retire.getByLabel('Plannable until').fill('2999-06-30T12:00');
    await retire.getByRole('button', { name: 'Retire' }).click();
    await row.getByText('retired').waitFor();
    await row.getByText(/plannable until/).waitFor();
    await row.getByRole('button', { name: 'Retire' }).waitFor({ state: 'detached' });
    const stored = await c.app.http.inject({
      url: `/api/v1/products/${product.id}/signing-keys`,
      headers: c.headers,
    });
    const retired = stored.json().find((k: { keyId: string }) => k.keyId === nextId);
    assert.equal(retired.status, 'retired');
    assert.equal(retired.validUntil, new Date('2999-06-30T12:00').toISOString());
    await page.getByRole('menuitem', { name: 'Firmware' }).click();
    await page
      .getByTestId(`signature-${packages.get('2.2')}`)
      .getByText(`Signed · ${nextId} (retired key)`)
      .waitFor();
  });

  it('revokes the key (asked first), after which its package is invalid', async () => {
    await page.goto(`${c.base}/products/${product.id}`);
    const row = page.getByTestId('signing-card').getByRole('row', { name: /release 2026/ });
    await row.getByRole('button', { name: 'Revoke' }).click();
    await answerQuestion(page, `Revoke key ${keyId}?`, 'Revoke');
    await row.getByText('revoked').waitFor();
    await row.getByRole('button', { name: 'Revoke' }).waitFor({ state: 'detached' });
    await page.getByRole('menuitem', { name: 'Firmware' }).click();
    await page
      .getByTestId(`signature-${packages.get('2.0')}`)
      .getByText('Invalid: key revoked')
      .waitFor();
  });

  it('switches the product to require signed firmware, and keeps it after a reload', async () => {
    await page.goto(`${c.base}/products/${product.id}`);
    const toggle = page.getByTestId('signing-card').getByRole('switch', { name: 'Require signed firmware' });
    await Promise.all([
      page.waitForResponse(
        (r) => r.url().endsWith(`/products/${product.id}/signing`) && r.request().method() === 'PUT',
      ),
      toggle.click(),
    ]);
    await page.getByTestId('signing-card').getByRole('switch', { checked: true }).waitFor();
    const policy = await c.app.http.inject({
      url: `/api/v1/products/${product.id}/signing`,
      headers: c.headers,
    });
    assert.deepEqual(policy.json(), { requireSignature: true });
    await page.reload();
    await page.getByTestId('signing-card').getByRole('switch', { checked: true }).waitFor();
  });

  it('met no serious or critical accessibility violation on any page (axe-core)', () => {
    assert.deepEqual(c.a11yViolations, []);
  });
});

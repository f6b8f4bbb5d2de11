// The device SDK as a device maker installs it: `npm run pack:sdk` (scripts/pack-sdk.ts) builds
// @updraft/sdk, @updraft/protocol and @updraft/delta into npm tarballs; unpacked under a
// node_modules of their own, plain Node (which strips no types there) loads them, diffs in the
// worker thread and restores a patch.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { packSdk } from '../scripts/pack-sdk.ts';

const root = resolve(import.meta.dirname, '..');

describe('the SDK packages (npm run pack:sdk)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'updraft-sdk-package-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('install as JavaScript with declarations, and run outside the repository', async () => {
    const tarballs = packSdk(join(dir, 'tarballs'));
    assert.deepEqual(
      tarballs.map((t) => t.split('/').pop()),
      ['updraft-protocol-0.1.0.tgz', 'updraft-delta-0.1.0.tgz', 'updraft-sdk-0.1.0.tgz'],
    );
    const app = join(dir, 'device-app');
    for (const [index, name] of ['protocol', 'delta', 'sdk'].entries()) {
      const tarball = tarballs[index]!;
      const target = join(app, 'node_modules', '@updraft', name);
      mkdirSync(target, { recursive: true });
      execFileSync('tar', ['-xzf', tarball, '-C', target, '--strip-components=1']);
      const listing = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' });
      assert.doesNotMatch(listing, /\.ts$(?<!\.d\.ts)/m, `${name}: no TypeScript sources`);
      assert.match(listing, /package\/dist\/index\.d\.ts/, `${name}: declarations`);
    }
    // Their registry dependencies, as npm would install them.
    mkdirSync(join(app, 'node_modules', '@sinclair'), { recursive: true });
    symlinkSync(join(root, 'node_modules', 'mqtt'), join(app, 'node_modules', 'mqtt'));
    symlinkSync(
      join(root, 'node_modules', '@sinclair', 'typebox'),
      join(app, 'node_modules', '@sinclair', 'typebox'),
    );
    writeFileSync(
      join(app, 'main.mjs'),
      `import { createDevice, sdkErrorCodes } from '@updraft/sdk';
import { applyBuffer, createDiffJob } from '@updraft/delta';
const old = new Uint8Array(200_000).map((_, i) => (i * 31) & 0xff);
const fresh = old.slice();
fresh.set([1, 2, 3, 4], 1000);
const { patch } = await createDiffJob(old, fresh, { profile: 'mcu' });
const rebuilt = await applyBuffer(old, patch);
console.log(JSON.stringify({
  createDevice: typeof createDevice,
  codes: sdkErrorCodes.length,
  same: Buffer.from(rebuilt).equals(Buffer.from(fresh)),
  patchBytes: patch.length,
}));
`,
    );
    const output = execFileSync(process.execPath, ['main.mjs'], { cwd: app, encoding: 'utf8' });
    const result = JSON.parse(output) as Record<string, unknown>;
    assert.equal(result['createDevice'], 'function');
    assert.ok((result['codes'] as number) > 0);
    assert.equal(result['same'], true, 'the patch restores the new image');
    assert.ok((result['patchBytes'] as number) < 1000);
  });
});

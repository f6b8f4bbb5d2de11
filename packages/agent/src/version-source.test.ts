// Version sources: a file, one key of an os-release style file (quoted or not), a command; and a
// clear error when there is no version to read.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readVersion } from './version-source.ts';

const dir = mkdtempSync(join(tmpdir(), 'updraft-agent-version-'));

describe('version sources', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('leaves a fixed version to the state folder', async () => {
    assert.equal(await readVersion({ kind: 'fixed', version: '1.0' }), undefined);
  });

  it('reads a file, trimmed, or one key of a KEY=value file', async () => {
    const plain = join(dir, 'VERSION');
    writeFileSync(plain, '2.4.1\n');
    assert.equal(await readVersion({ kind: 'file', path: plain }), '2.4.1');
    const osRelease = join(dir, 'os-release');
    writeFileSync(osRelease, 'NAME="Meter OS"\nVERSION_ID="2.5"\nBUILD_ID=20240101\n# VERSION_ID=9\n');
    assert.equal(await readVersion({ kind: 'file', path: osRelease, key: 'VERSION_ID' }), '2.5');
    assert.equal(await readVersion({ kind: 'file', path: osRelease, key: 'BUILD_ID' }), '20240101');
    await assert.rejects(
      readVersion({ kind: 'file', path: osRelease, key: 'IMAGE_VERSION' }),
      /no version under IMAGE_VERSION/,
    );
  });

  it("reads a command's first line, and says why a failing command gave none", async () => {
    assert.equal(await readVersion({ kind: 'command', command: 'printf "3.0\\nbuild 7\\n"' }), '3.0');
    await assert.rejects(
      readVersion({ kind: 'command', command: 'echo "no sensor on /dev/ttyUSB0" >&2; exit 4' }),
      /exit 4: no sensor on \/dev\/ttyUSB0/,
    );
  });
});

// The console's own copy of the firmware package rules, checked before an upload starts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkFirmwareFiles,
  firmwareMaxFileBytes,
  firmwareVersionPattern,
} from '../../packages/console/src/api/firmware-rules.ts';
import { formatBytes } from '../../packages/console/src/pages/firmware/format-bytes.ts';

describe('console firmware rules', () => {
  it('accepts the allowed endings, .tar.gz included, in any case', () => {
    const files = ['a.bin', 'b.TAR.GZ', 'c.mini_1', 'd.s19', 'e.bin_2'].map((name) => ({ name, size: 1 }));
    assert.equal(checkFirmwareFiles(files), null);
  });

  it('asks for at least one file and at most five', () => {
    assert.equal(checkFirmwareFiles([])?.key, 'firmware.invalid.noFiles');
    const six = Array.from({ length: 6 }, (_, i) => ({ name: `${i}.bin`, size: 1 }));
    assert.deepEqual(checkFirmwareFiles(six), { key: 'firmware.invalid.tooMany', vars: { max: 5 } });
  });

  it('names the file with a refused ending or over 100 MB', () => {
    assert.deepEqual(checkFirmwareFiles([{ name: 'notes.txt', size: 1 }]), {
      key: 'firmware.invalid.extension',
      vars: { name: 'notes.txt' },
    });
    assert.deepEqual(checkFirmwareFiles([{ name: 'big.bin', size: firmwareMaxFileBytes + 1 }]), {
      key: 'firmware.invalid.size',
      vars: { name: 'big.bin' },
    });
    assert.equal(checkFirmwareFiles([{ name: 'edge.bin', size: firmwareMaxFileBytes }]), null);
  });

  it('takes versions of 1 to 50 letters, digits, dots, dashes and underscores', () => {
    for (const ok of ['1', '1.2.3', 'v2_0-rc.1', 'x'.repeat(50)]) assert.match(ok, firmwareVersionPattern);
    for (const bad of ['', '1 2', '1/2', 'x'.repeat(51), '版本'])
      assert.doesNotMatch(bad, firmwareVersionPattern);
  });

  it('formats sizes in binary units', () => {
    assert.equal(formatBytes(512), '512 B');
    assert.equal(formatBytes(1536), '1.5 KiB');
    assert.equal(formatBytes(100 * 1024 * 1024), '100.0 MiB');
  });
});

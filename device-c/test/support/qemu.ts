// Builds the qemu test image for one pair and runs it on QEMU's mps2-an385 (Cortex-M3), returning
// what it printed over semihosting as key=value pairs.

import { execFileSync, spawnSync } from 'node:child_process';
import { deviceDir } from './paths.ts';

export function runOnQemu(oldPath: string, patchPath: string): Record<string, string> {
  execFileSync('make', ['-s', 'cortex-m-qemu', `OLD=${oldPath}`, `PATCH=${patchPath}`], {
    cwd: deviceDir,
    stdio: 'inherit',
  });
  const run = spawnSync(
    'qemu-system-arm',
    [
      '-M',
      'mps2-an385',
      '-nographic',
      '-monitor',
      'none',
      '-serial',
      'none',
      '-semihosting-config',
      'enable=on,target=native',
      '-kernel',
      'build/cm3/qemu.elf',
    ],
    { cwd: deviceDir, encoding: 'utf8', timeout: 180_000 },
  );
  const fields: Record<string, string> = { exit: String(run.status), output: `${run.stdout}${run.stderr}` };
  for (const line of `${run.stdout}\n${run.stderr}`.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) fields[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return fields;
}

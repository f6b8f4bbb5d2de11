// `npm run pack:sdk [-- OUT_DIR]`: the device SDK as npm packages a device maker can install
// (@updraft/sdk with @updraft/protocol and @updraft/delta, which it imports), built to JavaScript
// for Node 18 and later (scripts/internal/build-packages.ts). It prints each tarball with its
// size, then what `npm install` of them brings into a fresh project: for an HTTP device, and with
// mqtt, the optional peer dependency an MQTT device adds.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildPackage, checkAgainstNode18, root } from './internal/build-packages.ts';

const packages = ['protocol', 'delta', 'sdk'] as const;

/** The SDK's entry points as a device imports them: nothing newer than Node 18 may be reached. */
export const sdkDeviceEntries = [
  'packages/protocol/src/index.ts',
  'packages/delta/src/apply-index.ts',
  'packages/sdk/src/index.ts',
];

/** Builds and packs the three packages into `out`; returns the tarballs' paths. */
export function packSdk(out: string): string[] {
  mkdirSync(out, { recursive: true });
  const staging = mkdtempSync(join(tmpdir(), 'updraft-pack-'));
  try {
    checkAgainstNode18(sdkDeviceEntries, staging);
    return packages.map((name) => {
      const target = buildPackage(name, staging);
      if (name === 'sdk') cpSync(join(root, 'docs', 'sdk.md'), join(target, 'README.md'));
      return npmPack(target, out);
    });
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** `npm pack` of a built package folder into `out`; returns the tarball's path. */
export function npmPack(folder: string, out: string): string {
  const packed = execFileSync('npm', ['pack', '--silent', '--pack-destination', resolve(out)], {
    cwd: folder,
    encoding: 'utf8',
  });
  return join(resolve(out), packed.trim().split('\n').pop()!);
}

export interface InstallFootprint {
  /** Packages in node_modules, ours included. */
  packages: number;
  /** Of those, the ones that come from the registry. */
  fromRegistry: number;
  bytes: number;
}

function sizeOf(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.size;
  return readdirSync(path).reduce((sum, entry) => sum + sizeOf(join(path, entry)), 0);
}

function packagesIn(modules: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(modules)) {
    if (entry.startsWith('.')) continue;
    if (entry.startsWith('@')) {
      for (const scoped of readdirSync(join(modules, entry))) found.push(join(modules, entry, scoped));
    } else found.push(join(modules, entry));
  }
  return found.flatMap((dir) => {
    const nested = join(dir, 'node_modules');
    return [dir, ...(statSync(nested, { throwIfNoEntry: false })?.isDirectory() ? packagesIn(nested) : [])];
  });
}

/** What `npm install <tarballs> [extra]` puts into a fresh project (npm's cache first). */
export function measureInstall(tarballs: string[], extra: string[] = []): InstallFootprint {
  const app = mkdtempSync(join(tmpdir(), 'updraft-install-'));
  try {
    writeFileSync(join(app, 'package.json'), '{"name":"device-app","version":"1.0.0","private":true}\n');
    execFileSync(
      'npm',
      ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', ...tarballs, ...extra],
      { cwd: app, stdio: ['ignore', 'ignore', 'inherit'] },
    );
    const modules = join(app, 'node_modules');
    const all = packagesIn(modules);
    return {
      packages: all.length,
      fromRegistry: all.filter((dir) => !dir.includes(`${join('node_modules', '@updraft')}`)).length,
      bytes: sizeOf(modules),
    };
  } finally {
    rmSync(app, { recursive: true, force: true });
  }
}

const kB = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;

if (import.meta.main) {
  const tarballs = packSdk(process.argv[2] ?? join(root, 'dist'));
  for (const tarball of tarballs) console.log(`${tarball}  ${kB(statSync(tarball).size)}`);
  const total = tarballs.reduce((sum, t) => sum + statSync(t).size, 0);
  console.log(`packed: ${kB(total)} in ${tarballs.length} tarballs`);
  const http = measureInstall(tarballs);
  console.log(
    `installed (HTTP device): ${http.packages} packages, ${http.fromRegistry} from the registry, ${kB(http.bytes)}`,
  );
  const mqtt = measureInstall(tarballs, ['mqtt@^5.16.0']);
  console.log(
    `installed with mqtt (MQTT device): ${mqtt.packages} packages, ${mqtt.fromRegistry} from the registry, ${kB(mqtt.bytes)}`,
  );
}

// `npm run pack:sdk [-- OUT_DIR]`: the device SDK as npm packages a device maker can install
// (@updraft/sdk with @updraft/protocol and @updraft/delta, which it imports). Inside this
// repository the packages export their TypeScript sources, which Node runs directly; Node does
// not strip types under node_modules, so the published packages carry JavaScript and
// declarations built by tsc, with their relative `.ts` imports rewritten to `.js`.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const packages = ['protocol', 'delta', 'sdk'] as const;

interface PackageJson {
  name: string;
  version: string;
  private?: boolean;
  exports?: unknown;
  files?: string[];
  [key: string]: unknown;
}

/** Builds and packs the three packages into `out`; returns the tarballs' paths. */
export function packSdk(out: string): string[] {
  mkdirSync(out, { recursive: true });
  const staging = mkdtempSync(join(tmpdir(), 'updraft-pack-'));
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  try {
    return packages.map((name) => {
      const source = join(root, 'packages', name);
      const target = join(staging, name);
      const config = join(staging, `tsconfig.${name}.json`);
      writeFileSync(
        config,
        JSON.stringify({
          extends: join(root, 'tsconfig.json'),
          compilerOptions: {
            noEmit: false,
            typeRoots: [join(root, 'node_modules', '@types')],
            declaration: true,
            rewriteRelativeImportExtensions: true,
            rootDir: join(source, 'src'),
            outDir: join(target, 'dist'),
          },
          include: [join(source, 'src', '**', '*.ts')],
          exclude: [join(source, 'src', '**', '*.test.ts'), join(source, 'src', 'test-support', '**')],
        }),
      );
      execFileSync(process.execPath, [tsc, '-p', config], { stdio: 'inherit' });
      const manifest = JSON.parse(readFileSync(join(source, 'package.json'), 'utf8')) as PackageJson;
      delete manifest.private;
      manifest.exports = { '.': { types: './dist/index.d.ts', default: './dist/index.js' } };
      manifest.files = ['dist'];
      manifest['engines'] = { node: '>=22' };
      writeFileSync(join(target, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
      if (name === 'sdk') cpSync(join(root, 'docs', 'sdk.md'), join(target, 'README.md'));
      const packed = execFileSync('npm', ['pack', '--silent', '--pack-destination', resolve(out)], {
        cwd: target,
        encoding: 'utf8',
      });
      return join(resolve(out), packed.trim().split('\n').pop()!);
    });
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  for (const tarball of packSdk(process.argv[2] ?? join(root, 'dist'))) console.log(tarball);
}

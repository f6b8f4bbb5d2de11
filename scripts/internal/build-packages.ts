// Builds workspace packages into publishable folders of JavaScript and declarations, for devices:
// `npm run pack:sdk` and `npm run pack:agent`. Inside this repository the packages export their
// TypeScript sources, which Node 24 runs directly; Node does not strip types under node_modules,
// and devices run older Node versions, so the published packages carry JavaScript built by tsc
// (relative `.ts` imports rewritten to `.js`), syntax of ES2022 at most.
//
// The device entry points are then type-checked once more as Node 18 sees them: the ES2022
// library and Node 18's own type definitions (the `types-node-18` dev dependency), so that an API
// newer than Node 18 (Array.fromAsync, Promise.withResolvers, node:zlib zstd, import.meta.dirname)
// fails the build instead of a device.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const root = join(import.meta.dirname, '..', '..');

/** The oldest Node the device packages run on; their `engines` say so. */
export const DEVICE_NODE_RANGE = '>=18';

export interface PackageJson {
  name: string;
  version: string;
  private?: boolean;
  exports?: Record<string, string>;
  bin?: Record<string, string>;
  files?: string[];
  engines?: Record<string, string>;
  [key: string]: unknown;
}

const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

function runTsc(config: string): void {
  execFileSync(process.execPath, [tsc, '-p', config], { stdio: 'inherit' });
}

const compilerOptions = {
  target: 'es2022',
  lib: ['es2022'],
  noEmit: false,
  declaration: true,
  rewriteRelativeImportExtensions: true,
};

/**
 * Compiles `packages/<name>` into `<staging>/<name>` (dist/ and package.json) and returns that
 * folder. Each `exports` entry `./src/x.ts` becomes `./dist/x.js` with its declarations; `extra`
 * folders of the package (hooks, unit files) are copied beside dist/.
 */
export function buildPackage(name: string, staging: string, extra: string[] = []): string {
  const source = join(root, 'packages', name);
  const target = join(staging, name);
  const config = join(staging, `tsconfig.${name}.json`);
  writeFileSync(
    config,
    JSON.stringify({
      extends: join(root, 'tsconfig.json'),
      compilerOptions: {
        ...compilerOptions,
        typeRoots: [join(root, 'node_modules', '@types')],
        rootDir: join(source, 'src'),
        outDir: join(target, 'dist'),
      },
      include: [join(source, 'src', '**', '*.ts')],
      exclude: [join(source, 'src', '**', '*.test.ts'), join(source, 'src', 'test-support', '**')],
    }),
  );
  runTsc(config);
  const manifest = JSON.parse(readFileSync(join(source, 'package.json'), 'utf8')) as PackageJson;
  delete manifest.private;
  delete manifest['devDependencies'];
  manifest.exports = Object.fromEntries(
    Object.entries(manifest.exports ?? {}).map(([entry, file]) => {
      const built = file.replace(/^\.\/src\//, './dist/').replace(/\.ts$/, '');
      return [entry, { types: `${built}.d.ts`, default: `${built}.js` }];
    }),
  ) as unknown as Record<string, string>;
  if (manifest.bin) {
    manifest.bin = Object.fromEntries(
      Object.entries(manifest.bin).map(([command, file]) => [
        command,
        file.replace(/^\.\/src\//, './dist/').replace(/\.ts$/, '.js'),
      ]),
    );
  }
  manifest.files = ['dist', ...extra];
  manifest.engines = { node: DEVICE_NODE_RANGE };
  writeFileSync(join(target, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  for (const folder of extra) cpSync(join(source, folder), join(target, folder), { recursive: true });
  return target;
}

/**
 * Type-checks the given source entry points (and all they import) against the ES2022 library and
 * Node 18's type definitions. Throws (tsc prints the errors) when they use something newer.
 */
export function checkAgainstNode18(entries: string[], staging: string): void {
  // Type references to "node" (ours and those of dependencies such as mqtt) resolve here first.
  const types = join(staging, 'node18-types');
  mkdirSync(types, { recursive: true });
  symlinkSync(join(root, 'node_modules', 'types-node-18'), join(types, 'node'));
  const config = join(staging, 'tsconfig.node18.json');
  writeFileSync(
    config,
    JSON.stringify({
      extends: join(root, 'tsconfig.json'),
      compilerOptions: { ...compilerOptions, noEmit: true, declaration: false, typeRoots: [types] },
      files: entries.map((entry) => join(root, entry)),
      include: [],
    }),
  );
  runTsc(config);
}

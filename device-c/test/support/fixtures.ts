// Builds the C tests' data in device-c/build/data: patches made by the TypeScript diff for every
// pair of ../shared/bench-data/delta and for generated pairs, what the TypeScript patcher makes of
// each, the version 1 patches the delta package keeps, and damaged patches with the error code the
// TypeScript patcher gives each. Made again only when the delta engine or this file changes.

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyBuffer, diff, isDeltaError } from '../../../packages/delta/src/index.ts';
import {
  makeVersion1Images,
  version1Patches,
} from '../../../packages/delta/src/test-support/version-1-patches.ts';
import { generatedPairs } from './images.ts';
import { mutate } from './mutations.ts';
import { benchDataDir, dataDir, deviceDir } from './paths.ts';

export interface PairFixture {
  name: string;
  kind: 'bench' | 'generated' | 'version-1';
  old: string;
  patch: string;
  /** What the TypeScript patcher wrote (equal to the new image, which it checks by SHA-256). */
  tsOut: string;
  newSize: number;
}

export interface MutationFixture {
  label: string;
  old: string;
  patch: string;
  /** The TypeScript patcher's result: OK or its DeltaError code. */
  tsCode: string;
}

export interface Fixtures {
  pairs: PairFixture[];
  mutations: MutationFixture[];
}

/** The real pairs; in CI (CI=true) their absence is an error, not a quiet skip. */
export function benchPairs(): string[] {
  if (!existsSync(benchDataDir)) {
    if (process.env['CI'] === 'true') throw new Error(`no bench data at ${benchDataDir} in CI`);
    return [];
  }
  return readdirSync(benchDataDir)
    .filter((name) => existsSync(join(benchDataDir, name, 'old.bin')))
    .sort();
}

function sourceKey(): string {
  const hash = createHash('sha256');
  const deltaDir = join(deviceDir, '..', 'packages', 'delta', 'src');
  for (const dir of [deltaDir, join(deltaDir, 'internal'), join(deviceDir, 'test', 'support')]) {
    for (const file of readdirSync(dir).sort()) {
      if (file.endsWith('.ts')) hash.update(file).update(readFileSync(join(dir, file)));
    }
  }
  for (const pair of benchPairs()) hash.update(pair);
  return hash.digest('hex');
}

async function tsResult(old: Uint8Array, patch: Uint8Array): Promise<{ code: string; out?: Uint8Array }> {
  try {
    return { code: 'OK', out: await applyBuffer(old, patch) };
  } catch (error) {
    if (isDeltaError(error)) return { code: error.code };
    throw error;
  }
}

export async function makeFixtures(): Promise<Fixtures> {
  const key = sourceKey();
  const manifest = join(dataDir, 'fixtures.json');
  if (existsSync(manifest)) {
    const cached = JSON.parse(readFileSync(manifest, 'utf8')) as Fixtures & { key: string };
    if (cached.key === key) return cached;
  }
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(join(dataDir, 'mutations'), { recursive: true });
  const pairs: PairFixture[] = [];
  const keep = async (
    name: string,
    kind: PairFixture['kind'],
    oldPath: string,
    old: Uint8Array,
    patch: Uint8Array,
  ): Promise<void> => {
    const patchPath = join(dataDir, `${name}.updelta`);
    const tsOut = join(dataDir, `${name}.ts-new.bin`);
    writeFileSync(patchPath, patch);
    const result = await tsResult(old, patch);
    if (!result.out) throw new Error(`the TypeScript patcher refuses ${name}: ${result.code}`);
    writeFileSync(tsOut, result.out);
    pairs.push({ name, kind, old: oldPath, patch: patchPath, tsOut, newSize: result.out.length });
  };
  for (const name of benchPairs()) {
    const oldPath = join(benchDataDir, name, 'old.bin');
    const old = new Uint8Array(readFileSync(oldPath));
    const fresh = new Uint8Array(readFileSync(join(benchDataDir, name, 'new.bin')));
    await keep(name, 'bench', oldPath, old, diff(old, fresh, { profile: 'mcu' }).patch);
  }
  const sources = new Map<string, { path: string; old: Uint8Array }>();
  for (const pair of generatedPairs()) {
    const oldPath = join(dataDir, `${pair.name}.old.bin`);
    writeFileSync(oldPath, pair.old);
    sources.set(pair.name, { path: oldPath, old: pair.old });
    await keep(
      pair.name,
      'generated',
      oldPath,
      pair.old,
      diff(pair.old, pair.fresh, { profile: pair.profile }).patch,
    );
  }
  const v1 = makeVersion1Images();
  const v1Old = join(dataDir, 'version-1.old.bin');
  writeFileSync(v1Old, v1.old);
  sources.set('version-1-mcu', { path: v1Old, old: v1.old });
  for (const [profile, base64] of Object.entries(version1Patches)) {
    await keep(
      `version-1-${profile}`,
      'version-1',
      v1Old,
      v1.old,
      new Uint8Array(Buffer.from(base64, 'base64')),
    );
  }
  const mutations: MutationFixture[] = [];
  let seed = 1000;
  for (const name of ['small-edits', 'random-literals', 'version-1-mcu', 'one-byte']) {
    const source = sources.get(name)!;
    const patch = new Uint8Array(readFileSync(join(dataDir, `${name}.updelta`)));
    for (const m of mutate(patch, seed++, 60)) {
      const path = join(dataDir, 'mutations', `${name}.${m.label}.updelta`);
      writeFileSync(path, m.patch);
      mutations.push({
        label: `${name}/${m.label}`,
        old: source.path,
        patch: path,
        tsCode: (await tsResult(source.old, m.patch)).code,
      });
    }
    // The right patch on a wrong old image.
    const wrongOld = source.old.slice();
    if (wrongOld.length > 0) {
      const middle = wrongOld.length >>> 1;
      wrongOld[middle] = wrongOld[middle]! ^ 0xff;
      const wrongPath = join(dataDir, 'mutations', `${name}.wrong-old.bin`);
      writeFileSync(wrongPath, wrongOld);
      mutations.push({
        label: `${name}/wrong-old`,
        old: wrongPath,
        patch: join(dataDir, `${name}.updelta`),
        tsCode: (await tsResult(wrongOld, patch)).code,
      });
    }
  }
  const fixtures: Fixtures = { pairs, mutations };
  writeFileSync(manifest, JSON.stringify({ key, ...fixtures }, null, 1));
  return fixtures;
}

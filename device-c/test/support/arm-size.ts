// Flash and RAM that each part of the library costs on a Cortex-M3, read from the link maps of the
// size probes (build/cm3/probe-*.map, linked with --gc-sections): the input sections that come from
// the library's objects, so newlib's memcpy and memset and the probe's own code are left out.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildDir } from './paths.ts';

export interface PartSize {
  /** .text and .rodata bytes of library objects kept by the linker. */
  flash: number;
  /** .data and .bss bytes of library objects (static RAM). */
  ram: number;
  /** Per object file: flash bytes. */
  objects: Record<string, number>;
}

export function measurePart(probe: 'patch' | 'verify' | 'protocol' | 'manifest'): PartSize {
  const map = readFileSync(join(buildDir, 'cm3', `probe-${probe}.map`), 'utf8');
  const start = map.indexOf('Linker script and memory map');
  const section = /^ (\.(?:text|rodata|data|bss)[^\s]*)\s*\n?\s+0x[0-9a-f]+\s+0x([0-9a-f]+)\s+(\S+)$/gm;
  const size: PartSize = { flash: 0, ram: 0, objects: {} };
  for (const m of map.slice(start).matchAll(section)) {
    const [, name, hexSize, file] = m;
    if (!file!.includes('/cm3/') || file!.includes('probe-')) continue;
    const bytes = Number.parseInt(hexSize!, 16);
    const object = file!.split('/').pop()!;
    if (name!.startsWith('.data') || name!.startsWith('.bss')) size.ram += bytes;
    else {
      size.flash += bytes;
      size.objects[object] = (size.objects[object] ?? 0) + bytes;
    }
  }
  return size;
}

/**
 * The deepest stack a library function can reach, from gcc's -fcallgraph-info=su graphs of the
 * Cortex-M3 objects: the largest sum of frames along any call path from `root`. Calls through the
 * caller's callbacks count as 0 (their frames are the integrator's) and so do memcpy and memset;
 * the one internal call through a pointer, md-block's compression function, is resolved to the
 * three compression functions it can be.
 */
export function staticStackBound(root: string): { bytes: number; path: string[] } {
  const dir = join(buildDir, 'cm3');
  const frames = new Map<string, number>();
  const calls = new Map<string, string[]>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ci') && !f.startsWith('probe-'))) {
    const text = readFileSync(join(dir, file), 'utf8');
    for (const m of text.matchAll(/node: \{ title: "([^"]+)" label: "[^"]*\\n(\d+) bytes \(static\)"/g))
      frames.set(m[1]!, Number(m[2]));
    for (const m of text.matchAll(
      /node: \{ title: "([^"]+)" label: "[^"]*\\n[^"]*\\n(\d+) bytes \((\w+)\)"/g,
    )) {
      if (m[3] !== 'static') throw new Error(`${m[1]} has a ${m[3]} stack frame`);
    }
    for (const m of text.matchAll(/edge: \{ sourcename: "([^"]+)" targetname: "([^"]+)"/g))
      calls.set(m[1]!, [...(calls.get(m[1]!) ?? []), m[2]!]);
  }
  const compressors = [...frames.keys()].filter((f) => /:(\w+_)?compress$/.test(f));
  for (const block of ['updraft_md_update', 'updraft_md_pad'])
    calls.set(block, [...(calls.get(block) ?? []).filter((c) => c !== '__indirect_call'), ...compressors]);
  const memo = new Map<string, { bytes: number; path: string[] }>();
  const deepest = (fn: string, seen: Set<string>): { bytes: number; path: string[] } => {
    const known = memo.get(fn);
    if (known) return known;
    if (seen.has(fn)) throw new Error(`recursion through ${fn}: no static bound`);
    seen.add(fn);
    let best = { bytes: 0, path: [] as string[] };
    for (const callee of calls.get(fn) ?? []) {
      const sub = deepest(callee, seen);
      if (sub.bytes > best.bytes) best = sub;
    }
    seen.delete(fn);
    const name = fn.split(':').pop()!;
    const result = { bytes: (frames.get(fn) ?? 0) + best.bytes, path: [name, ...best.path] };
    memo.set(fn, result);
    return result;
  };
  return deepest(root, new Set());
}

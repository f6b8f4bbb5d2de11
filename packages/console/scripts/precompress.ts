// Writes a brotli (.br) and a gzip (.gz) copy beside each text file of the build, once, at build
// time, so the server sends them as they are (console-static.ts, @fastify/static preCompressed)
// instead of compressing on every request. Brotli at its highest quality: slow to write (about a
// second for the whole build), free to send. A copy that would not be smaller is not written: the
// server then sends the file itself.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

const compressible = new Set(['.js', '.mjs', '.css', '.html', '.svg', '.json', '.txt', '.map']);

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Compresses every compressible file under `dir`; returns how many copies it wrote. */
export function precompressDir(dir: string): number {
  let written = 0;
  for (const file of filesUnder(dir)) {
    if (!compressible.has(extname(file))) continue;
    const content = readFileSync(file);
    const copies: [string, Buffer][] = [
      [
        '.br',
        brotliCompressSync(content, {
          params: {
            [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
            [constants.BROTLI_PARAM_SIZE_HINT]: content.length,
          },
        }),
      ],
      ['.gz', gzipSync(content, { level: 9 })],
    ];
    for (const [suffix, compressed] of copies) {
      if (compressed.length >= content.length) continue;
      writeFileSync(file + suffix, compressed);
      written++;
    }
  }
  return written;
}

/** The Vite plugin: precompresses the output folder once the bundle is written. */
export function precompress(): Plugin {
  let outDir = '';
  return {
    name: 'updraft-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    closeBundle() {
      precompressDir(outDir);
    },
  };
}

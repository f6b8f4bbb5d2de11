// Finds the covers of the new image: stretches copied from the old image with a few changed bytes
// (approximate matches) and the literal bytes between them. The scan is bsdiff's (Colin Percival,
// "Naive differences of executable code", 2003): look for a long exact match at each position, take
// it once it beats the current offset by more than 8 bytes, then grow the previous cover forwards
// and the new one backwards while at least half of their bytes agree. Exact matches come from a
// hash-chained index of the old image instead of a suffix array: building it is linear and cheap,
// and firmware matches are long enough that a bounded chain finds them.

import { type CoverList, createCoverList, pushCover } from './cover-list.ts';

export interface MatchOptions {
  /** How many earlier positions with the same hash to try at each scan position. */
  maxChain: number;
  /** Called now and then with the fraction of the new image scanned. */
  onProgress?: (fraction: number) => void;
}

const HASH_BYTES = 8;
const PROGRESS_STEP = 1 << 20;

interface OldIndex {
  head: Int32Array;
  next: Int32Array;
  shift: number;
}

function mixWords(lo: number, hi: number): number {
  return Math.imul(lo, 0x9e3779b1) ^ Math.imul(hi ^ (lo >>> 15), 0x85ebca77);
}

function hashAt(data: Uint8Array, i: number): number {
  const lo = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
  const hi = data[i + 4]! | (data[i + 5]! << 8) | (data[i + 6]! << 16) | (data[i + 7]! << 24);
  return mixWords(lo, hi);
}

function buildIndex(old: Uint8Array): OldIndex {
  // About one head entry per old byte (at most 2^24): a larger table made its random writes miss
  // the cache more often than its shorter chains saved, on the real pairs.
  const bits = Math.max(10, Math.min(24, Math.ceil(Math.log2(old.length + 1))));
  const shift = 32 - bits;
  const head = new Int32Array(1 << bits).fill(-1);
  const next = new Int32Array(old.length);
  const last = old.length - HASH_BYTES;
  // hashAt's two words, rolled one byte at a time: two loads per position instead of eight.
  let lo = old[0]! | (old[1]! << 8) | (old[2]! << 16) | (old[3]! << 24);
  let hi = old[4]! | (old[5]! << 8) | (old[6]! << 16) | (old[7]! << 24);
  for (let i = 0; i <= last; i++) {
    const h = mixWords(lo, hi) >>> shift;
    next[i] = head[h]!;
    head[h] = i;
    if (i < last) {
      lo = (lo >>> 8) | (old[i + 4]! << 24);
      hi = (hi >>> 8) | (old[i + 8]! << 24);
    }
  }
  return { head, next, shift };
}

function countEqual(old: Uint8Array, o: number, fresh: Uint8Array, f: number): number {
  const limit = Math.min(old.length - o, fresh.length - f);
  let k = 0;
  while (k < limit && old[o + k] === fresh[f + k]) k++;
  return k;
}

/** Returns the covers that rebuild `fresh` from `old`. */
export function matchCovers(old: Uint8Array, fresh: Uint8Array, options: MatchOptions): CoverList {
  const covers = createCoverList();
  const oldSize = old.length;
  const newSize = fresh.length;
  const index = oldSize >= HASH_BYTES ? buildIndex(old) : undefined;
  let matchPos = 0;

  // Longest exact match for fresh[scan..] among the candidates; its position goes to matchPos.
  const search = (scan: number, hint: number): number => {
    let bestLen = 0;
    let bestPos = 0;
    if (hint >= 0 && hint < oldSize) {
      bestLen = countEqual(old, hint, fresh, scan);
      bestPos = hint;
    }
    if (index && scan + HASH_BYTES <= newSize) {
      let cand = index.head[hashAt(fresh, scan) >>> index.shift]!;
      for (let chain = options.maxChain; cand >= 0 && chain > 0; chain--) {
        if (cand !== hint && cand + bestLen < oldSize && old[cand + bestLen] === fresh[scan + bestLen]) {
          const len = countEqual(old, cand, fresh, scan);
          if (len > bestLen) {
            bestLen = len;
            bestPos = cand;
          }
        }
        cand = index.next[cand]!;
      }
    }
    matchPos = bestPos;
    return bestLen;
  };

  let scan = 0;
  let len = 0;
  let lastScan = 0;
  let lastPos = 0;
  let lastOffset = 0;
  let nextProgress = PROGRESS_STEP;
  while (scan < newSize) {
    let oldScore = 0;
    scan += len;
    let scsc = scan;
    for (; scan < newSize; scan++) {
      len = search(scan, scan + lastOffset);
      for (; scsc < scan + len; scsc++) {
        if (scsc + lastOffset < oldSize && old[scsc + lastOffset] === fresh[scsc]) oldScore++;
      }
      if ((len === oldScore && len !== 0) || len > oldScore + 8) break;
      if (scan + lastOffset < oldSize && old[scan + lastOffset] === fresh[scan]) oldScore--;
    }
    if (scan >= nextProgress) {
      options.onProgress?.(scan / newSize);
      nextProgress = scan + PROGRESS_STEP;
    }
    if (len === oldScore && scan !== newSize) continue;

    // Grow the previous cover forwards while more than half of its bytes agree.
    let s = 0;
    let best = 0;
    let lenF = 0;
    for (let i = 0; lastScan + i < scan && lastPos + i < oldSize; ) {
      if (old[lastPos + i] === fresh[lastScan + i]) s++;
      i++;
      if (s * 2 - i > best * 2 - lenF) {
        best = s;
        lenF = i;
      }
    }
    // Grow the new match backwards likewise.
    let lenB = 0;
    if (scan < newSize) {
      s = 0;
      best = 0;
      for (let i = 1; scan >= lastScan + i && matchPos >= i; i++) {
        if (old[matchPos - i] === fresh[scan - i]) s++;
        if (s * 2 - i > best * 2 - lenB) {
          best = s;
          lenB = i;
        }
      }
    }
    // Where the two overlap, split at the point that keeps the most agreeing bytes.
    if (lastScan + lenF > scan - lenB) {
      const overlap = lastScan + lenF - (scan - lenB);
      s = 0;
      best = 0;
      let lenS = 0;
      for (let i = 0; i < overlap; i++) {
        if (fresh[lastScan + lenF - overlap + i] === old[lastPos + lenF - overlap + i]) s++;
        if (fresh[scan - lenB + i] === old[matchPos - lenB + i]) s--;
        if (s > best) {
          best = s;
          lenS = i + 1;
        }
      }
      lenF += lenS - overlap;
      lenB -= lenS;
    }
    pushCover(covers, lastScan, lastPos, lenF, scan - lenB - (lastScan + lenF));
    lastScan = scan - lenB;
    lastPos = matchPos - lenB;
    lastOffset = matchPos - scan;
  }
  options.onProgress?.(1);
  return covers;
}

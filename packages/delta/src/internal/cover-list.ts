// The covers of a diff as parallel typed arrays: cover i copies `copyLength[i]` bytes from the old
// image at `oldStart[i]` (adding a per-byte difference, mostly zero) to the new image at
// `newStart[i]`, then `literalLength[i]` bytes that are in the patch as they are.

export interface CoverList {
  count: number;
  newStart: Int32Array;
  oldStart: Int32Array;
  copyLength: Int32Array;
  literalLength: Int32Array;
}

export function createCoverList(capacity = 1024): CoverList {
  return {
    count: 0,
    newStart: new Int32Array(capacity),
    oldStart: new Int32Array(capacity),
    copyLength: new Int32Array(capacity),
    literalLength: new Int32Array(capacity),
  };
}

function grow(array: Int32Array): Int32Array {
  const bigger = new Int32Array(array.length * 2);
  bigger.set(array);
  return bigger;
}

/** Appends a cover, merging it into the previous one when it adds nothing. */
export function pushCover(
  list: CoverList,
  newStart: number,
  oldStart: number,
  copyLength: number,
  literalLength: number,
): void {
  if (copyLength === 0 && literalLength === 0) return;
  const last = list.count - 1;
  if (copyLength === 0 && last >= 0) {
    list.literalLength[last]! += literalLength;
    return;
  }
  if (list.count === list.newStart.length) {
    list.newStart = grow(list.newStart);
    list.oldStart = grow(list.oldStart);
    list.copyLength = grow(list.copyLength);
    list.literalLength = grow(list.literalLength);
  }
  list.newStart[list.count] = newStart;
  list.oldStart[list.count] = oldStart;
  list.copyLength[list.count] = copyLength;
  list.literalLength[list.count] = literalLength;
  list.count++;
}

// How far V8 lets the JavaScript heap grow past what survived its last full collection before
// it collects again (UPDRAFT_HEAP_GROWTH_PERCENT). V8 picks that factor itself, up to 4x, from
// how fast it collects against how fast the program allocates; a server that signs in thousands
// of devices at once then holds several hundred MB of garbage between collections. Set once at
// start, for the whole process (V8 reads it at each full collection). 0 leaves V8's own choice.
import { setFlagsFromString } from 'node:v8';

export function applyHeapGrowth(percent: number): void {
  setFlagsFromString(`--heap-growing-percent=${percent}`);
}

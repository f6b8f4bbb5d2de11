// The C Quectel codec against the TypeScript one that the server and the SDK use
// (packages/protocol/src/quectel): the same frames byte for byte, the same TTLV trees both ways,
// and on damaged input the TypeScript decoder accepts nothing the C one refuses (it is the
// stricter of the two: it also refuses an unstuffed AA AA inside a frame, which C takes).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  decodeFrame,
  decodeTtlv,
  encodeFrame,
  encodeTtlv,
  isQuectelError,
  type TtlvNode,
} from '../../packages/protocol/src/index.ts';
import { createRandom } from './support/images.ts';
import { hex, runLines, variants } from './support/run.ts';
import { dumpTtlv, type TtlvNode as ReferenceNode, randomTree, specTtlv } from './support/ttlv-reference.ts';

const random = createRandom(16);

/** The reference tree in the TypeScript codec's shape. */
function toCodec(nodes: ReferenceNode[]): TtlvNode[] {
  return nodes.map((n): TtlvNode => {
    if (n.kind === 'bool') return { id: n.id, type: 'bool', value: n.value };
    if (n.kind === 'number')
      return { id: n.id, type: 'number', negative: n.negative, magnitude: n.magnitude, exponent: n.exponent };
    if (n.kind === 'bytes') return { id: n.id, type: 'bytes', value: new Uint8Array(n.value) };
    return { id: n.id, type: 'struct', children: toCodec(n.children) };
  });
}

function damage(bytes: Uint8Array): Uint8Array {
  const out = [...bytes];
  for (let k = 1 + (random() % 3); k > 0; k--) {
    const at = random() % Math.max(1, out.length);
    const op = random() % 4;
    if (op === 0) out[at] = (out[at] ?? 0) ^ (1 + (random() % 255));
    else if (op === 1) out.splice(at, 0, [0xaa, 0x55, random() & 0xff][random() % 3]!);
    else if (op === 2) out.splice(at, 1);
    else out.length = at;
  }
  return Uint8Array.from(out);
}

for (const variant of variants) {
  const label = variant || 'gcc -O2';

  test(`${label}: TTLV trees built by C decode in TypeScript, and TypeScript's are dumped alike by C`, () => {
    const trees = Array.from({ length: 200 }, () => randomTree(random));
    const out = runLines(
      trees.flatMap((t) => [
        ['ttlv-build', specTtlv(t) || ''],
        ['ttlv-dump', hex(encodeTtlv(toCodec(t)))],
      ]),
      variant,
    );
    trees.forEach((t, i) => {
      assert.deepEqual(decodeTtlv(Buffer.from(out[2 * i]!, 'hex')), toCodec(t), 'C bytes, TypeScript tree');
      assert.equal(out[2 * i + 1], dumpTtlv(t), 'TypeScript bytes, C walk');
    });
  });

  test(`${label}: frames are byte for byte the same both ways, and damaged ones are refused by TypeScript whenever C refuses them`, () => {
    const cases = Array.from({ length: 200 }, (_, i) => ({
      packetId: 1 + (random() % 0xfffe),
      cmd: [0x0111, 0x0113, 0x0114, 0x0115, 0xaaaa][i % 5]!,
      payload: i % 4 === 0 ? new Uint8Array(i % 9).fill(0xaa) : encodeTtlv(toCodec(randomTree(random))),
    }));
    const encoded = runLines(
      cases.map((c) => ['frame-encode', String(c.packetId), String(c.cmd), hex(c.payload)]),
      variant,
    );
    cases.forEach((c, i) => {
      assert.equal(encoded[i], hex(encodeFrame(c)), 'the same stuffed bytes');
      const frame = decodeFrame(Buffer.from(encoded[i]!, 'hex'));
      assert.deepEqual([frame.packetId, frame.cmd, hex(frame.payload)], [c.packetId, c.cmd, hex(c.payload)]);
    });
    const damaged = encoded.flatMap((e) => [damage(Buffer.from(e, 'hex')), damage(Buffer.from(e, 'hex'))]);
    const byC = runLines(
      damaged.map((d) => ['frame-decode', hex(d)]),
      variant,
    );
    let refusedByBoth = 0;
    damaged.forEach((d, i) => {
      let ours: string;
      try {
        const f = decodeFrame(d);
        ours = ['OK', f.packetId, f.cmd, hex(f.payload)].join('\t');
      } catch (error) {
        assert.ok(isQuectelError(error), String(error));
        ours = 'MALFORMED';
      }
      if (ours !== 'MALFORMED') assert.equal(byC[i], ours, `C reads ${hex(d)} as TypeScript does`);
      else if (byC[i] === 'MALFORMED') refusedByBoth++;
    });
    assert.ok(refusedByBoth > damaged.length / 2, `most damage is refused by both (${refusedByBoth})`);
  });
}

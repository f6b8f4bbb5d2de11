import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { mutate, mutations } from '../test-support/byte-mutations.ts';
import { frameParts } from '../test-support/quectel-arbitraries.ts';
import { decodeFrame, encodeFrame } from './frame.ts';
import { isQuectelError, type QuectelErrorCode } from './quectel-error.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const bytes = (h: string) => Buffer.from(h.replace(/\s+/g, ''), 'hex');

function refusedWith(input: Uint8Array, code: QuectelErrorCode) {
  assert.throws(
    () => decodeFrame(input),
    (e: unknown) => isQuectelError(e) && e.code === code,
    `${hex(input)} refused with ${code}`,
  );
}

describe('Quectel frame', () => {
  it('lays out header, length, sum, packet id and command big-endian (protocols.md §3.2)', () => {
    // 0x0114 {13: 2}: payload 006a 00 02, sum = 00+07 + 01+14 + 00+6a+00+02 = 0x88.
    const frame = encodeFrame({ packetId: 7, cmd: 0x0114, payload: bytes('006a0002') });
    assert.equal(hex(frame), 'aaaa000988' + '0007' + '0114' + '006a0002');
    assert.deepEqual(decodeFrame(frame), { packetId: 7, cmd: 0x0114, payload: bytes('006a0002') });
  });

  it('stuffs 0x55 after an 0xAA followed by 0xAA or 0x55 or at the end, and only then', () => {
    const cases: [string, string][] = [
      ['aa', 'aa55'],
      ['aaaa', 'aa55aa55'],
      ['aa55', 'aa5555'],
      ['aa01', 'aa01'],
      ['01aa02', '01aa02'],
    ];
    for (const [payload, wire] of cases) {
      const frame = encodeFrame({ packetId: 1, cmd: 0x0115, payload: bytes(payload) });
      assert.equal(hex(frame).slice(18), wire, `payload ${payload}`);
      assert.equal(hex(decodeFrame(frame).payload), payload);
    }
    // A length whose high byte is 0x55 follows the header's second 0xAA: stuffed too.
    const long = encodeFrame({ packetId: 1, cmd: 1, payload: new Uint8Array(0x5500 - 5) });
    assert.equal(hex(long.subarray(0, 5)), 'aaaa555500');
    assert.equal(decodeFrame(long).payload.length, 0x5500 - 5);
  });

  it('refuses bad packet ids, commands and sizes when encoding', () => {
    for (const packetId of [0, 0xffff, 1.5, -1])
      assert.throws(() => encodeFrame({ packetId, cmd: 1, payload: new Uint8Array() }), isQuectelError);
    assert.throws(
      () => encodeFrame({ packetId: 1, cmd: 0x10000, payload: new Uint8Array() }),
      isQuectelError,
    );
    assert.throws(
      () => encodeFrame({ packetId: 1, cmd: 1, payload: new Uint8Array(0xffff - 4) }),
      isQuectelError,
    );
  });

  it('refuses each kind of bad frame with its code', () => {
    const good = encodeFrame({ packetId: 7, cmd: 0x0114, payload: bytes('006a0002') });
    refusedWith(good.subarray(0, 8), 'QUECTEL_TRUNCATED');
    refusedWith(good.subarray(0, good.length - 1), 'QUECTEL_TRUNCATED');
    refusedWith(Buffer.concat([good, bytes('00')]), 'QUECTEL_FRAME_LENGTH');
    const sum = Buffer.from(good);
    sum[4]! ^= 1;
    refusedWith(sum, 'QUECTEL_FRAME_CHECKSUM');
    const header = Buffer.from(good);
    header[1] = 0xab;
    refusedWith(header, 'QUECTEL_FRAME_HEADER');
    refusedWith(
      encodeFrame({ packetId: 1, cmd: 1, payload: new Uint8Array() }).fill(0, 5, 7),
      'QUECTEL_FRAME_CHECKSUM',
    );
    // Packet id 0 with a checksum that matches it.
    refusedWith(bytes('aaaa0005' + '01' + '0000' + '0001'), 'QUECTEL_FRAME_PACKET_ID');
    refusedWith(bytes('aaaa0005' + 'ff' + 'ffff' + '0001'), 'QUECTEL_FRAME_PACKET_ID');
    // An unstuffed AA AA inside, or an AA at the end without its 0x55.
    refusedWith(bytes('aaaa0007' + '56' + '0001' + '0001' + 'aaaa'), 'QUECTEL_FRAME_STUFFING');
    refusedWith(bytes('aaaa0006' + 'ac' + '0001' + '0001' + 'aa'), 'QUECTEL_FRAME_STUFFING');
  });

  it('takes a 0x55 stuffed where none was needed, as the receiver of §3.2 drops it', () => {
    // Payload aa 01 (sum 00+01 + 00+01 + aa+01 = 0xad), its 0xAA needlessly followed by 0x55.
    const wire = bytes('aaaa0007' + 'ad' + '0001' + '0001' + 'aa5501');
    assert.equal(hex(decodeFrame(wire).payload), 'aa01');
  });

  it('decodes what it encodes, for any packet id, command and payload', () => {
    fc.assert(
      fc.property(frameParts, (parts) => {
        const { packetId, cmd, payload } = decodeFrame(encodeFrame(parts));
        assert.deepEqual([packetId, cmd, hex(payload)], [parts.packetId, parts.cmd, hex(parts.payload)]);
      }),
      { numRuns: 500 },
    );
  });

  it('never puts a header (AA AA) anywhere but at the start, nor ends on an 0xAA', () => {
    fc.assert(
      fc.property(frameParts, (parts) => {
        const wire = encodeFrame(parts);
        for (let i = 2; i < wire.length - 1; i++) {
          if (wire[i] === 0xaa) assert.notEqual(wire[i + 1], 0xaa, `AA AA at ${i}`);
        }
        assert.notEqual(wire.at(-1), 0xaa);
      }),
      { numRuns: 500 },
    );
  });

  it('refuses mutated frames with its one error, or decodes them; nothing else is thrown', () => {
    fc.assert(
      fc.property(frameParts, mutations, (parts, steps) => {
        const wire = mutate(encodeFrame(parts), steps);
        try {
          const frame = decodeFrame(wire);
          // Whatever it accepted re-encodes to a frame it accepts again.
          assert.deepEqual(decodeFrame(encodeFrame(frame)).payload, frame.payload);
        } catch (error) {
          assert.ok(isQuectelError(error), `threw ${String(error)}`);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses arbitrary bytes with its one error, or decodes them', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.boolean(), (body, header) => {
        const wire = header ? Uint8Array.from([0xaa, 0xaa, ...body]) : body;
        try {
          decodeFrame(wire);
        } catch (error) {
          assert.ok(isQuectelError(error), `threw ${String(error)}`);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

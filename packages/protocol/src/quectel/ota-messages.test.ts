import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { mutate, mutations } from '../test-support/byte-mutations.ts';
import { frameParts, ttlvTree } from '../test-support/quectel-arbitraries.ts';
import { encodeFrame } from './frame.ts';
import { formatMcuVersions, parseMcuVersions } from './mcu-versions.ts';
import { quectelCmd } from './ota-codes.ts';
import type { OtaComponent } from './ota-messages.ts';
import { isQuectelError } from './quectel-error.ts';
import {
  createPacketIds,
  decodeQuectelMessage,
  encodeQuectelMessage,
  type QuectelMessage,
} from './quectel-message.ts';
import { encodeTtlv } from './ttlv.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const roundTrip = (message: QuectelMessage) =>
  assert.deepEqual(decodeQuectelMessage(encodeQuectelMessage(9, message)), { packetId: 9, message });

const component: OtaComponent = {
  componentNo: 'default',
  componentType: 0,
  targetVersion: '2.0',
  batteryLimit: 20,
  useSpace: 65_536,
  minSignal: -110,
  packageType: 'full',
};

describe('Quectel OTA messages', () => {
  it('puts the plan of docs/quectel.md on the wire byte by byte', () => {
    const wire = encodeQuectelMessage(0x0102, { kind: 'plan', plan: { components: [component] } });
    assert.equal(
      hex(wire),
      [
        'aaaa', // header
        '002d', // length: 40 bytes of payload + 5
        '1b', // checksum: the bytes from the packet id on, summed, mod 256
        '0102', // packet id
        '0111', // OTA_NOTIFY
        '0023' + '0007' + hex(Buffer.from('default')), // 4 COMPONENT_NO "default"
        '0033' + '0003' + hex(Buffer.from('2.0')), // 6 TARGET_VER "2.0"
        '003a' + '00' + '00', // 7 COMPONENT_TYPE 0
        '0042' + '00' + '14', // 8 BATTERY_LIMIT 20
        '004a' + '02' + '010000', // 9 USE_SPACE 65536
        '0052' + '80' + '6e', // 10 MIN_SIGNAL -110
        'fa1a' + '00' + '00', // 8003 package type 0 (full)
      ].join(''),
    );
  });

  it('carries a request, a plan, an event, firmware info and an error answer both ways', () => {
    roundTrip({ kind: 'request', request: { moduleVersion: '1.0', mcuVersion: 'mcu:0.9' } });
    roundTrip({ kind: 'request', request: {} });
    roundTrip({ kind: 'plan', plan: { components: [component] } });
    roundTrip({
      kind: 'plan',
      plan: {
        components: [{ componentNo: 'mcu', componentType: 1, targetVersion: '3', sourceVersion: '2' }],
      },
    });
    roundTrip({
      kind: 'event',
      event: {
        status: 2,
        message: 'SUBMITOTA',
        componentNo: 'default',
        componentType: 0,
        downSign: 'sha256',
      },
    });
    roundTrip({ kind: 'event', event: { status: 5, percent: 40 } });
    roundTrip({ kind: 'event', event: { status: 11, moduleVersion: '2.0', mcuVersion: 'mcu:1.1' } });
    roundTrip({
      kind: 'firmware-info',
      info: {
        url: 'http://h/device/v1/download/t1',
        size: 50_000,
        md5: 'a'.repeat(32),
        crc: 'b4c8',
        sha256: 'c'.repeat(64),
        name: 'app.bin',
        componentNo: 'default',
        componentType: 0,
        targetVersion: '2.0',
      },
    });
    roundTrip({ kind: 'error', error: { code: 409, message: 'no upgrade', packetId: 3, componentNo: 'x' } });
    roundTrip({ kind: 'other', cmd: 0x0031, nodes: [] });
  });

  it('sends a plan of several components as TASK_INFO, at most 20', () => {
    const mcu: OtaComponent = { componentNo: 'mcu', componentType: 1, targetVersion: '1.1' };
    const two = encodeQuectelMessage(1, { kind: 'plan', plan: { components: [component, mcu] } });
    assert.equal(hex(two).slice(18, 22), '00e4', 'the payload is one TTLV 28 (struct)');
    roundTrip({ kind: 'plan', plan: { components: [component, mcu] } });
    const many = Array.from({ length: 20 }, (_, i) => ({ ...mcu, componentNo: `c${i}` }));
    roundTrip({ kind: 'plan', plan: { components: many } });
    assert.throws(
      () => encodeQuectelMessage(1, { kind: 'plan', plan: { components: [...many, mcu] } }),
      isQuectelError,
    );
    assert.throws(() => encodeQuectelMessage(1, { kind: 'plan', plan: { components: [] } }), isQuectelError);
  });

  it('lists the files of a package in DOWN_INFO (20), each with its index (30)', () => {
    const files = [1, 2, 3].map((index) => ({
      index,
      url: `http://h/device/v1/download/t${index}`,
      size: 1000 * index,
      md5: String(index).repeat(32),
      sha256: String(index).repeat(64),
      name: `app.bin_${index}`,
    }));
    roundTrip({
      kind: 'firmware-info',
      info: {
        url: files[0]!.url,
        size: files[0]!.size,
        md5: files[0]!.md5,
        sha256: files[0]!.sha256,
        name: files[0]!.name,
        componentNo: 'default',
        componentType: 0,
        targetVersion: '2.0',
        files,
      },
    });
  });

  it('names a sub-device with Updraft ids 8001 and 8002 in every command a gateway carries', () => {
    const subDevice = { productKey: 'pk_sensor', deviceKey: 's-1' };
    roundTrip({ kind: 'request', request: { moduleVersion: '1.0', subDevice } });
    roundTrip({ kind: 'plan', plan: { components: [component], subDevice } });
    roundTrip({ kind: 'event', event: { status: 2, subDevice } });
    const half = encodeFrame({
      packetId: 1,
      cmd: quectelCmd.otaRequest,
      payload: encodeTtlv([{ id: 8001, type: 'bytes', value: Buffer.from('pk') }]),
    });
    assert.throws(
      () => decodeQuectelMessage(half),
      (e: unknown) => isQuectelError(e) && e.code === 'QUECTEL_MESSAGE_INVALID',
    );
  });

  it('refuses well-formed payloads that are not their command, naming the field', () => {
    const event = (nodes: Parameters<typeof encodeTtlv>[0]) =>
      encodeFrame({ packetId: 1, cmd: quectelCmd.otaEvent, payload: encodeTtlv(nodes) });
    const invalid = (wire: Uint8Array, field: RegExp) =>
      assert.throws(
        () => decodeQuectelMessage(wire),
        (e: unknown) => isQuectelError(e) && e.code === 'QUECTEL_MESSAGE_INVALID' && field.test(e.message),
      );
    invalid(event([]), /STATUS/);
    invalid(event([{ id: 13, type: 'bytes', value: Buffer.from('2') }]), /STATUS/);
    invalid(
      event([
        { id: 13, type: 'number', negative: false, magnitude: 2n, exponent: 0 },
        { id: 4, type: 'bytes', value: Buffer.alloc(33, 0x61) },
      ]),
      /COMPONENT_NO/,
    );
    invalid(
      event([
        { id: 13, type: 'number', negative: false, magnitude: 5n, exponent: 0 },
        { id: 8005, type: 'number', negative: false, magnitude: 101n, exponent: 0 },
      ]),
      /percentage/,
    );
  });

  it('refuses any mutated message with its one error, or decodes it', () => {
    const messages: QuectelMessage[] = [
      {
        kind: 'plan',
        plan: { components: [component, { ...component, componentNo: 'mcu', componentType: 1 }] },
      },
      {
        kind: 'event',
        event: { status: 2, message: 'SUBMITOTA', componentNo: 'default', downSign: 'sha256' },
      },
      { kind: 'request', request: { moduleVersion: '1.0', mcuVersion: 'a:1;b:2' } },
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...messages),
        fc.integer({ min: 1, max: 0xfffe }),
        mutations,
        (m, id, steps) => {
          const wire = mutate(encodeQuectelMessage(id, m), steps);
          try {
            decodeQuectelMessage(wire);
          } catch (error) {
            assert.ok(isQuectelError(error), `threw ${String(error)}`);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('refuses any frame of an OTA command with random TTLV with its one error, or decodes it', () => {
    const cmds = [0x0111, 0x0113, 0x0114, 0x0115, 0x0f00];
    fc.assert(
      fc.property(fc.constantFrom(...cmds), ttlvTree(3), frameParts, (cmd, tree, parts) => {
        for (const payload of [encodeTtlv(tree), parts.payload]) {
          try {
            decodeQuectelMessage(encodeFrame({ packetId: parts.packetId, cmd, payload }));
          } catch (error) {
            assert.ok(isQuectelError(error), `threw ${String(error)}`);
          }
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('numbers packets 1..0xFFFE and wraps around, never 0 or 0xFFFF', () => {
    const next = createPacketIds(0xfffd);
    assert.deepEqual([next(), next(), next()], [0xfffd, 0xfffe, 1]);
    assert.equal(createPacketIds(0)(), 1);
  });

  it('writes and reads MCU versions as componentNo:version entries joined with ;', () => {
    const versions = [
      { componentNo: 'mcu', version: '1.0' },
      { componentNo: 'lcd', version: 'V2_1' },
    ];
    assert.equal(formatMcuVersions(versions), 'mcu:1.0;lcd:V2_1');
    assert.deepEqual(parseMcuVersions('mcu:1.0;lcd:V2_1'), versions);
    assert.deepEqual(parseMcuVersions(' 3.2 ;;'), [{ componentNo: null, version: '3.2' }]);
    assert.deepEqual(parseMcuVersions(''), []);
  });
});

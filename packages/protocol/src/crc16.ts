// CRC-16 of a download chunk, as ThingsPanel's X-CRC16 header (protocols.md §1.9, after the
// howeyc/crc16 library): the `Crc16-Method` request header picks the variant.
//   CCITT  -> CRC-16/IBM-SDLC: reflected poly 0x1021, init 0xFFFF, xorout 0xFFFF
//   MODBUS -> the library's "Meter-Bus" CRC: poly 0x3D65 MSB-first, init 0, xorout 0 (not Modbus)
//   other  -> CRC-16/USB: reflected poly 0x8005, init 0xFFFF, xorout 0xFFFF
export type Crc16Method = 'ccitt' | 'mbus' | 'ibm';

function reflectedTable(poly: number): Uint16Array {
  const table = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ poly : crc >>> 1;
    table[i] = crc;
  }
  return table;
}

function msbTable(poly: number): Uint16Array {
  const table = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ poly) & 0xffff : (crc << 1) & 0xffff;
    table[i] = crc;
  }
  return table;
}

const tables = { ccitt: reflectedTable(0x8408), ibm: reflectedTable(0xa001), mbus: msbTable(0x3d65) };

/** Maps the `Crc16-Method` header to a variant (absent or unknown means IBM, as ThingsPanel does). */
export function crc16MethodFromHeader(value: string | undefined): Crc16Method {
  const v = value?.trim().toUpperCase();
  return v === 'CCITT' ? 'ccitt' : v === 'MODBUS' ? 'mbus' : 'ibm';
}

/** An incremental CRC-16: feed chunks with update(), read the value with digest(). */
export function createCrc16(method: Crc16Method) {
  const table = tables[method];
  let crc = method === 'mbus' ? 0 : 0xffff;
  return {
    // Indexed loops: `for…of` over a large chunk allocated an iterator result per byte when
    // V8 did not optimise it (gigabytes of garbage in a campaign of 256 KiB downloads).
    update(bytes: Uint8Array): void {
      let c = crc;
      const n = bytes.length;
      if (method === 'mbus') {
        for (let i = 0; i < n; i++) c = ((c << 8) & 0xffff) ^ table[((c >>> 8) ^ bytes[i]!) & 0xff]!;
      } else {
        for (let i = 0; i < n; i++) c = (c >>> 8) ^ table[(c ^ bytes[i]!) & 0xff]!;
      }
      crc = c;
    },
    /** Four lowercase hex digits. */
    digest(): string {
      const value = method === 'mbus' ? crc : ~crc & 0xffff;
      return value.toString(16).padStart(4, '0');
    },
  };
}

export function crc16(method: Crc16Method, bytes: Uint8Array): string {
  const crc = createCrc16(method);
  crc.update(bytes);
  return crc.digest();
}

// CRC-32 as in ISO-HDLC / zlib (reflected polynomial 0xEDB88320, initial and final XOR 0xFFFFFFFF),
// four bits at a time from a 16-entry table: 64 bytes of table suit a device better than 1 KiB.

const NIBBLE_TABLE = new Uint32Array(16);
for (let n = 0; n < 16; n++) {
  let c = n;
  for (let k = 0; k < 4; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  NIBBLE_TABLE[n] = c >>> 0;
}
export const CRC32_TABLE_BYTES = 64;

/** Continues a CRC over `bytes`; start with `crc32(bytes)` or pass the previous result. */
export function crc32(bytes: Uint8Array, previous = 0): number {
  let crc = ~previous;
  for (let i = 0; i < bytes.length; i++) {
    crc ^= bytes[i]!;
    crc = (crc >>> 4) ^ NIBBLE_TABLE[crc & 15]!;
    crc = (crc >>> 4) ^ NIBBLE_TABLE[crc & 15]!;
  }
  return ~crc >>> 0;
}

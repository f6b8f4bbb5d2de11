// Whether a datagram is a well-formed CoAP message (RFC 7252 §3), checked before node-coap sees
// it: the library's parser reads past the end of an option, takes a payload marker with nothing
// after it, and so serves messages the RFC calls format errors. A format error in a confirmable
// message is rejected with a Reset (§4.2); any other is ignored (§4.3), as is a message of a
// version other than 1 (§3).

export type FormatVerdict = 'ok' | 'ignore' | 'reset';

/** RFC 8974 §2.1 extends the token length (13 and 14 announce longer tokens); 15 is an error. */
function tokenEnd(bytes: Buffer): number | undefined {
  const tkl = bytes[0]! & 0x0f;
  if (tkl === 15) return undefined;
  if (tkl === 13) return bytes.length < 5 ? undefined : 5 + bytes[4]! + 13;
  if (tkl === 14) return bytes.length < 6 ? undefined : 6 + bytes.readUInt16BE(4) + 269;
  return 4 + tkl;
}

function wellFormed(bytes: Buffer): boolean {
  let at = tokenEnd(bytes);
  if (at === undefined || at > bytes.length) return false;
  // An empty message (code 0.00) is the header and nothing else (§4.1).
  if (bytes[1] === 0 && bytes.length !== 4) return false;
  const extended = (nibble: number): number | undefined => {
    if (nibble < 13) return nibble;
    if (nibble === 13) return at! < bytes.length ? bytes[at!++]! + 13 : undefined;
    if (nibble === 14) {
      if (at! + 2 > bytes.length) return undefined;
      const value = bytes.readUInt16BE(at!) + 269;
      at! += 2;
      return value;
    }
    return undefined;
  };
  while (at < bytes.length) {
    const first = bytes[at++]!;
    // The payload marker: a payload must follow it (§3).
    if (first === 0xff) return at < bytes.length;
    const delta = extended(first >> 4);
    const length = extended(first & 0x0f);
    if (delta === undefined || length === undefined || at + length > bytes.length) return false;
    at += length;
  }
  return true;
}

export function checkFormat(bytes: Buffer): FormatVerdict {
  if (bytes.length < 4 || bytes[0]! >> 6 !== 1) return 'ignore';
  if (wellFormed(bytes)) return 'ok';
  const type = (bytes[0]! >> 4) & 0x03;
  return type === 0 ? 'reset' : 'ignore';
}

/** The Reset of a confirmable message: its message id, nothing else (§4.2). */
export function resetOf(bytes: Buffer): Buffer {
  return Buffer.from([0x70, 0x00, bytes[2]!, bytes[3]!]);
}

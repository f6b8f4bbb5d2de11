// A package the LwM2M server wrote to /5/0/0 (push), held by the link and served to the SDK's
// resumable download as a fetch of `lwm2m-package:{sha256}`, so that a pushed package is
// verified, restored and installed as a pulled one is (Range as RFC 7233 asks for it).

export const pushedScheme = 'lwm2m-package:';

/** The answer to a fetch of the pushed package, from the Range's start. */
export function servePushed(bytes: Buffer, init: RequestInit | undefined): Response {
  const range = new Headers(init?.headers).get('range');
  const match = range ? /^bytes=(\d+)-$/.exec(range) : null;
  const from = match ? Math.min(Number(match[1]), bytes.length) : 0;
  const part = new Uint8Array(bytes.subarray(from));
  return new Response(part, {
    status: from > 0 ? 206 : 200,
    headers: { 'content-length': String(part.length) },
  });
}

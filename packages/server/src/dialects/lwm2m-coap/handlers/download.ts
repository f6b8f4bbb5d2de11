// Updraft's firmware download over CoAP: GET /fw/{token}, the Package URI a pulling client is
// given. The carrier serves it a block at a time (RFC 7959 Block2, any block number, so a client
// resumes where it stopped) with ETag and, when asked, Size2. The token is checked as on HTTP:
// 4.04 for one never issued, 4.03 for one that no longer downloads (replies.ts).
import { contentFormats } from '@updraft/protocol';
import type { CoapAnswer } from '../../../transports/coap/coap-dialect.ts';
import type { Lwm2mContext } from '../context.ts';
import { codeOfProblem } from '../replies.ts';

export async function handleDownload(ctx: Lwm2mContext, token: string): Promise<CoapAnswer> {
  const file = await ctx.access.openDownload(token, { byDevice: true });
  if ('problem' in file) return { code: codeOfProblem(file.problem), payload: Buffer.from(file.problem) };
  let bytes = file.bytes;
  if (!bytes) {
    const chunks: Buffer[] = [];
    for await (const chunk of await ctx.access.openBlob(file.key)) chunks.push(chunk as Buffer);
    bytes = Buffer.concat(chunks);
  }
  return { code: '2.05', payload: bytes, contentFormat: contentFormats.opaque };
}

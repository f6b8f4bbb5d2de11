// 0x0115 OTA_REQUEST (protocols.md §3.2): the device states its module and MCU versions and asks
// for its plan. Each version is checked (the device service records it and offers what waits,
// the upgrade under way included); an offer is answered with its plan (0x0111). A request that
// states no version is answered with what waits for the device, as at its login.
import type { OtaRequest } from '@updraft/protocol';
import type { AccessDevice } from '../../../modules/device-access/device-access.ts';
import type { Dropped, QuectelContext, Recipient } from '../context.ts';
import { statedVersions } from '../versions.ts';
import { subjectOf } from './subject.ts';

export async function handleRequest(
  ctx: QuectelContext,
  sender: AccessDevice,
  clientId: string,
  packetId: number,
  request: OtaRequest,
): Promise<Dropped | null> {
  const { access } = ctx;
  const sub = request.subDevice;
  const drop = (d: Dropped, componentNo?: string) =>
    ctx.drop(clientId, d, { packetId, ...(componentNo && { componentNo }), ...(sub && { subDevice: sub }) });
  const device = await subjectOf(access, sender, sub);
  if ('code' in device) return drop(device);
  const recipient: Recipient = { clientId, ...(sub && { subDevice: sub }) };
  const versions = await statedVersions(access, device, request);
  if (versions.length === 0) {
    for (const { module, offer } of await access.offersOnConnect(device, { underWay: true }))
      await ctx.pushPlan(device, recipient, module, offer);
    return null;
  }
  let dropped: Dropped | null = null;
  for (const { module, version } of versions) {
    const result = await access.check(device, { module, version });
    if (result.kind === 'offer') await ctx.pushPlan(device, recipient, module, result.offer);
    else if (result.kind === 'problem')
      dropped = await drop({ code: 404, reason: `${result.problem}: ${module}` }, module);
    else ctx.log.info({ clientId, module, version, answer: result.kind }, 'Quectel OTA request: no plan');
  }
  return dropped;
}

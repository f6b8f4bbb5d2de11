// 0x0114 OTA_EVENT (protocols.md §3.2): a status for a component, as a canonical event through
// the dialect's code table (status-codes.ts). A confirm (2) is answered with the firmware
// information (0x0113, with the sha256 when DOWN_SIGN asks for it); success (11) counts when the
// report states the component's version as its target (the version after the reboot otherwise).
import { type OtaEvent, quectelDecisions } from '@updraft/protocol';
import type { AccessDevice } from '../../../modules/device-access/device-access.ts';
import type { Dropped, QuectelContext, Recipient } from '../context.ts';
import { meaningOf } from '../status-codes.ts';
import { statedVersions } from '../versions.ts';
import { moduleUnderWay, subjectOf, targetOf } from './subject.ts';

export async function handleEvent(
  ctx: QuectelContext,
  sender: AccessDevice,
  clientId: string,
  packetId: number,
  event: OtaEvent,
): Promise<Dropped | null> {
  const { access } = ctx;
  const sub = event.subDevice;
  const drop = (d: Dropped, componentNo?: string) =>
    ctx.drop(clientId, d, { packetId, ...(componentNo && { componentNo }), ...(sub && { subDevice: sub }) });
  const device = await subjectOf(access, sender, sub);
  if ('code' in device) return drop(device);
  const meaning = meaningOf(event);
  if (meaning.kind === 'unknown')
    return drop({ code: 400, reason: `status ${event.status} is not an OTA status` });
  if (meaning.kind === 'none') return null;
  const module = event.componentNo ?? (await moduleUnderWay(access, device));
  if (module === undefined)
    return drop({ code: 400, reason: 'COMPONENT_NO (4) is required: no single component is under way' });

  const report = async (e: Parameters<typeof access.report>[2]): Promise<Dropped | null> => {
    const { problem } = await access.report(device, module, e);
    if (problem === null) return null;
    if (problem === 'finished') {
      // Late, repeated or overtaken (issue 14): ignored without an answer, as ThingsPanel's.
      ctx.log.info({ clientId, module, status: event.status }, 'Quectel status after the end ignored');
      return null;
    }
    return drop(
      { code: 409, reason: `${problem}: no upgrade of ${module} takes status ${event.status} now` },
      module,
    );
  };

  switch (meaning.kind) {
    case 'event':
      return report(meaning.event);
    case 'confirm': {
      const refused = await report(meaning.event);
      if (refused) return refused;
      const result = await access.offerUnderWay(device, module);
      if (result.kind !== 'offer')
        return drop({ code: 409, reason: `no upgrade of ${module} to download now` }, module);
      const recipient: Recipient = { clientId, ...(sub && { subDevice: sub }) };
      await ctx.sendFirmwareInfo(device, recipient, result.offer, {
        sha256: event.downSign === quectelDecisions.sha256Sign,
      });
      return null;
    }
    case 'updated': {
      const stated = (await statedVersions(access, device, event)).find((v) => v.module === module);
      const target = await targetOf(access, device, module);
      if (stated === undefined || target === undefined) return report({ type: 'installing', percent: 100 });
      if (stated.version === target) {
        const problem = await access.recordVersion(device, module, stated.version);
        if (problem !== null) return drop({ code: 404, reason: `${problem}: ${module}` }, module);
        // 11 with the target is sent once the device restarted into it and runs: its health
        // confirmation in a plan with a health window (docs/quectel.md; without one the version
        // already ended the upgrade and this is acknowledged).
        return report({ type: 'health_confirmed' });
      }
      return report({
        type: 'failed',
        reason: 'version_mismatch',
        detail: `Quectel status 11 UPDATESUCCESS with ${module} ${stated.version}, target ${target}`,
      });
    }
  }
}

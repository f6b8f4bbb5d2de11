// protocols.md §1.5, the progress report: a step (1..100, -1..-4) for the device's active
// upgrade, as a canonical event (the generation's step table: step-codes.ts of v0.5 or v1).
import { parseProgressReport } from '@updraft/protocol';
import type { AccessDevice, CanonicalEvent } from '../../../modules/device-access/device-access.ts';
import type { ThingsPanelContext } from '../context.ts';
import { openMessage } from '../message-subject.ts';
import { type Dropped, progressDropped } from '../replies.ts';

/** Updraft's health report (docs/mqtt.md, "Health after the install") as a canonical event. */
function healthEventOf(health: { healthy: boolean; version?: string }, desc: string): CanonicalEvent {
  const said = desc === '' ? {} : { detail: desc };
  if (health.healthy) return { type: 'health_confirmed', ...said };
  return { type: 'health_failed', ...said, ...(health.version !== undefined && { version: health.version }) };
}

export async function handleProgress(
  ctx: ThingsPanelContext,
  sender: AccessDevice,
  username: string,
  payload: Buffer,
): Promise<Dropped | null> {
  const opened = await openMessage(ctx, 'progress', sender, username, payload, parseProgressReport);
  if ('dropped' in opened) return opened.dropped;
  const { device, message, drop } = opened;
  // Updraft's refusal of a pushed offer (docs/mqtt.md): the rejection period, or a manual plan's rejection.
  const event = message.refused
    ? { type: 'refused' as const, ...(message.desc !== '' && { reason: message.desc }) }
    : message.health
      ? healthEventOf(message.health, message.desc)
      : ctx.eventOf(message.step, message.desc);
  const problem =
    event === null ? 'bad_result' : (await ctx.access.report(device, message.module, event)).problem;
  if (problem === 'finished') {
    // A report about an upgrade that ended in success or failure: late, repeated (a redelivery)
    // or overtaken by a later message through another instance. Ignored without an error reply
    // (issue 14); a cancelled upgrade is still told, so that the device stops.
    ctx.log.info(
      { username, module: message.module, step: message.step },
      'MQTT progress after the end ignored',
    );
    return null;
  }
  return problem === null ? null : drop(progressDropped(problem, message.module));
}

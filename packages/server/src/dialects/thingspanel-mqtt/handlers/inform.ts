// protocols.md §1.3, the version inform: the device states its version; answered with a push
// when an upgrade waits for it (the device service decides: check, completion or re-push, §1.7).
// With Updraft's `params.upgrade` it is a reconciliation: the device says where it is with its
// current upgrade, and the device service heals what it missed instead of counting a mismatch.
import { parseVersionInform } from '@updraft/protocol';
import type { AccessDevice } from '../../../modules/device-access/device-access.ts';
import type { ThingsPanelContext } from '../context.ts';
import { openMessage } from '../message-subject.ts';
import { type Dropped, informDropped } from '../replies.ts';

export async function handleInform(
  ctx: ThingsPanelContext,
  sender: AccessDevice,
  username: string,
  payload: Buffer,
): Promise<Dropped | null> {
  const opened = await openMessage(ctx, 'inform', sender, username, payload, parseVersionInform);
  if ('dropped' in opened) return opened.dropped;
  const { device, message, drop } = opened;
  // Reconciliation (Updraft's `params.upgrade`): the device's current upgrade and last step.
  const statement =
    message.upgrade === undefined
      ? undefined
      : message.upgrade === null
        ? null
        : {
            target: message.upgrade.version,
            event: message.upgrade.step === 0 ? null : ctx.eventOf(message.upgrade.step),
            ...(message.upgrade.relink && { relink: true }),
          };
  const result = await ctx.access.informVersion(device, message.module, message.version, statement);
  if (result.kind === 'problem') return drop(informDropped(result.problem, message.module));
  if (result.kind === 'offer') {
    const recipient = await ctx.recipientOf(device);
    if (recipient) await ctx.deliver(device, recipient, message.module, result.offer);
  }
  return null;
}

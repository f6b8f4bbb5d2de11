// One switch that dispatches an uplink to its handler (one file per message).
import type { AccessDevice } from '../../../modules/device-access/device-access.ts';
import type { ThingsPanelContext } from '../context.ts';
import type { ThingsPanelUplink } from '../generation.ts';
import type { Dropped } from '../replies.ts';
import { handleInform } from './inform.ts';
import { handleProgress } from './progress.ts';

export function dispatch(
  ctx: ThingsPanelContext,
  kind: ThingsPanelUplink['kind'],
  sender: AccessDevice,
  username: string,
  payload: Buffer,
): Promise<Dropped | null> {
  switch (kind) {
    case 'inform':
      return handleInform(ctx, sender, username, payload);
    case 'progress':
      return handleProgress(ctx, sender, username, payload);
  }
}

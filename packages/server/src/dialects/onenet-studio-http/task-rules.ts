// OneNET Studio's task rules (protocols.md §2.10), OneNET's legacy task states (task-rules.ts of
// onenet-http, §2.5) with one difference: Studio has no token check, so the first step (0..100)
// of a task to be upgraded starts it (third-party firmware reports `{"step":0..100}` from the
// first downloaded byte). And the task status numbers of `GET …/{tid}/check`, as third-party
// tools name them [I]: 1 to be upgraded, 2 downloading, 3 upgrading, 4 succeeded, 5 failed,
// 6 cancelled.
import type { UpgradeState } from '@updraft/core';
import type { CanonicalEvent } from '../../modules/device-access/device-access.ts';
import { oneNetCodeRule, oneNetTaskState } from '../onenet-http/task-rules.ts';

export function studioCodeRule(
  state: UpgradeState,
  code: number,
  event: CanonicalEvent,
): ReturnType<typeof oneNetCodeRule> {
  if (code <= 100 && oneNetTaskState(state) === 'to_be_upgraded') return 'engine';
  return oneNetCodeRule(state, code, event);
}

export type StudioTaskStatus = 1 | 2 | 3 | 4 | 5 | 6;

export function studioTaskStatus(state: UpgradeState): StudioTaskStatus {
  switch (oneNetTaskState(state)) {
    case 'to_be_upgraded':
      return 1;
    case 'downloading':
      return 2;
    case 'upgrading':
      return 3;
    case 'failed_retrying':
      return 5;
    case 'ended':
      return state.status === 'success' ? 4 : state.status === 'cancelled' ? 6 : 5;
  }
}

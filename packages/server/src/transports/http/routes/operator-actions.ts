// What an operator may do to device upgrades, as the plan and device-upgrade routes both offer it.
import type { OperatorAction } from '../../../modules/plans/upgrade-engine-contract.ts';

export const operatorActions: readonly {
  path: string;
  action: OperatorAction;
  summary: string;
  description?: string;
}[] = [
  {
    path: 'retry',
    action: 'operator_retry',
    summary: 'Retry failed device upgrades (all failed when no ids); reopens a completed plan',
    description:
      'A device that another plan of the module holds now is not retried: refusal device_busy in a list, 409 PLAN_CONFLICT (details.planId) for one device upgrade.',
  },
  { path: 'cancel', action: 'operator_cancel', summary: 'Cancel the named device upgrades' },
  {
    path: 'confirm',
    action: 'confirmed',
    summary: 'Confirm device upgrades of a manual plan (all awaiting when no ids)',
  },
  {
    path: 'reject',
    action: 'rejected',
    summary: 'Reject device upgrades of a manual plan (all awaiting when no ids)',
  },
];

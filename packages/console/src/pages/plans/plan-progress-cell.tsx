// A plan's progress in the plans list (issue 18): a bar of its devices that ended (green: those
// that succeeded), the counts in its title, and for a plan of several waves the wave under way.
// The list has no counts, so each started plan's row loads GET /plans/{id}, again on the plan's
// live events (polled every 5 s while it runs only when the event stream is not open).
import { Progress, Tooltip, Typography } from 'antd';
import { unwrap } from '../../api/api-client.ts';
import { planEvents } from '../../api/live-events.tsx';
import type { Plan, PlanDetail } from '../../api/types.ts';
import { usePolling } from '../../api/use-polling.ts';
import { useApi } from '../../auth/session-context.tsx';
import { useT } from '../../i18n/i18n-context.tsx';

const moving: readonly Plan['status'][] = ['running', 'paused', 'scheduled'];

export function PlanProgressCell({ plan }: { plan: Plan }) {
  const t = useT();
  const api = useApi();
  const detail = usePolling<PlanDetail>(
    `plan-progress-${plan.id}-${plan.status}`,
    () => unwrap(api.GET('/api/v1/plans/{id}', { params: { path: { id: plan.id } } })),
    moving.includes(plan.status),
    5000,
    planEvents(plan.id),
  );
  const current = detail.data;
  if (!current) return null;
  const { total } = current.summary;
  const success = current.counts['success'] ?? 0;
  const failure = current.counts['failure'] ?? 0;
  const waves = current.waves.length;
  return (
    <Tooltip
      title={t('plans.progress.detail', { total, success, failure, unfinished: current.summary.unfinished })}
    >
      <div data-testid={`plan-progress-${plan.id}`} style={{ minWidth: 140 }}>
        <Progress
          aria-label={t('app.progressOf', { name: plan.name })}
          percent={Math.round(current.summary.completion * 100)}
          success={{ percent: total ? Math.round((success * 100) / total) : 0 }}
          size="small"
          status={current.wave.phase === 'halted' ? 'exception' : undefined}
        />
        {waves > 1 && (
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t('plans.progress.wave', { wave: current.wave.index + 1, waves })}
          </Typography.Text>
        )}
      </div>
    </Tooltip>
  );
}

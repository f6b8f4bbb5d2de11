// The overview's running and paused plans, each with its completion and success rate.
import { Card, List, Progress, Tag, Typography } from 'antd';
import { Link } from 'react-router-dom';
import { unwrap } from '../../api/api-client.ts';
import type { PlanDetail } from '../../api/types.ts';
import { usePolling } from '../../api/use-polling.ts';
import { useApi } from '../../auth/session-context.tsx';
import { useT } from '../../i18n/i18n-context.tsx';
import { statusColor } from '../plans/plans-page.tsx';

export function ActivePlansCard() {
  const t = useT();
  const api = useApi();
  const plans = usePolling<PlanDetail[]>(
    'overview-plans',
    async () => {
      const lists = await Promise.all(
        (['running', 'paused'] as const).map((status) =>
          unwrap(api.GET('/api/v1/plans', { params: { query: { limit: 10, status } } })),
        ),
      );
      const ids = lists.flatMap((list) => list.items.map((plan) => plan.id)).slice(0, 10);
      return Promise.all(
        ids.map((id) => unwrap(api.GET('/api/v1/plans/{id}', { params: { path: { id } } }))),
      );
    },
    true,
    5000,
    (event) => event.kind === 'plan' || event.kind === 'device_upgrade',
  );
  const items = plans.data ?? [];
  return (
    <Card title={t('overview.activePlans')} loading={plans.data === null && plans.error === null}>
      {plans.error !== null && (
        <Typography.Text type="danger">{String((plans.error as Error).message)}</Typography.Text>
      )}
      <List
        dataSource={items}
        locale={{
          emptyText: <Typography.Text type="secondary">{t('overview.noActivePlans')}</Typography.Text>,
        }}
        renderItem={(plan) => (
          <List.Item>
            <div style={{ width: '100%' }}>
              <Link to={`/plans/${plan.id}`}>{plan.name}</Link>{' '}
              <Tag color={statusColor[plan.status]}>{t(`plans.status.${plan.status}`)}</Tag>
              <Typography.Text type="secondary">
                {t('overview.planLine', {
                  total: plan.summary.total,
                  rate:
                    plan.summary.successRate === null
                      ? '–'
                      : `${Math.round(plan.summary.successRate * 100)}%`,
                })}
              </Typography.Text>
              <Progress
                aria-label={t('app.progressOf', { name: plan.name })}
                percent={Math.round(plan.summary.completion * 100)}
                success={{
                  percent: plan.summary.total
                    ? Math.round(((plan.counts['success'] ?? 0) / plan.summary.total) * 100)
                    : 0,
                }}
                size="small"
              />
            </div>
          </List.Item>
        )}
      />
    </Card>
  );
}

// The plan's waves in order (issue 18): where each stands and a progress bar of its devices
// (GET /plans/{id}/report, `waves`), with each wave's size and thresholds from the plan.
import { Card, Progress, Table, Tag } from 'antd';
import type { PlanDetail, PlanReport } from '../../api/types.ts';
import { useT } from '../../i18n/i18n-context.tsx';

type WaveState = PlanReport['waves'][number]['state'];

const stateColors: Record<WaveState, string> = {
  waiting: 'default',
  rolling: 'processing',
  soaking: 'cyan',
  gated: 'warning',
  halted: 'error',
  completed: 'success',
};

export function PlanWavesCard({ plan, report }: { plan: PlanDetail; report: PlanReport }) {
  const t = useT();
  const rows = report.waves.map((w) => {
    const spec = plan.waves[w.index];
    const total = Object.values(w.counts).reduce((a, b) => a + b, 0);
    const done = (w.counts['success'] ?? 0) + (w.counts['failure'] ?? 0) + (w.counts['cancelled'] ?? 0);
    return { ...w, spec, total, done };
  });
  return (
    <Card title={t('plan.waves')} style={{ marginBottom: 16 }} data-testid="plan-waves">
      <Table
        rowKey="index"
        size="small"
        pagination={false}
        dataSource={rows}
        columns={[
          { title: t('plan.wave'), render: (_, r) => r.index + 1 },
          {
            title: t('plan.wave.size'),
            render: (_, r) =>
              r.spec?.percent !== undefined
                ? `${r.spec.percent} %`
                : r.spec?.count !== undefined
                  ? String(r.spec.count)
                  : r.spec?.groupIds !== undefined
                    ? t('plan.wave.groups', { count: r.spec.groupIds.length })
                    : t('plan.wave.rest'),
          },
          {
            title: t('plan.wave.state'),
            render: (_, r) => <Tag color={stateColors[r.state]}>{t(`plan.wave.state.${r.state}`)}</Tag>,
          },
          {
            title: t('plan.wave.progress'),
            render: (_, r) => (
              <Progress
                aria-label={t('app.progressOf', { name: `${t('plan.wave')} ${r.index + 1}` })}
                percent={r.total === 0 ? 100 : Math.round((r.done * 100) / r.total)}
                success={{
                  percent: r.total === 0 ? 0 : Math.round(((r.counts['success'] ?? 0) * 100) / r.total),
                }}
                size="small"
              />
            ),
          },
          { title: t('plan.total'), dataIndex: 'total' },
          {
            title: t('plan.wave.thresholds'),
            render: (_, r) =>
              r.spec
                ? `${r.spec.successPercent} % / ${r.spec.errorPercent === null ? '-' : `${r.spec.errorPercent} %`}${r.spec.manualGate ? ` · ${t('plan.wave.gate')}` : ''}`
                : '',
          },
        ]}
      />
    </Card>
  );
}

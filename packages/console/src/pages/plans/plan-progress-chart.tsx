// The plan's progress drawn in SVG (no chart library): the devices by status as one stacked bar,
// finished devices over time (cumulative success and failure per minute), and where the
// upgrading devices are (progress in tenths).
import { Col, Flex, Row, Typography } from 'antd';
import type { PlanReport, UpgradeStatus } from '../../api/types.ts';
import { useT } from '../../i18n/i18n-context.tsx';

export const upgradeStatuses: readonly UpgradeStatus[] = [
  'pending',
  'pushed',
  'upgrading',
  'success',
  'failure',
  'cancelled',
];
export const statusColors: Record<UpgradeStatus, string> = {
  pending: '#a6a6a6',
  pushed: '#91caff',
  upgrading: '#1677ff',
  success: '#52c41a',
  failure: '#ff4d4f',
  cancelled: '#595959',
};

function StatusBar({ counts }: { counts: PlanReport['counts'] }) {
  const t = useT();
  const total = upgradeStatuses.reduce((sum, s) => sum + (counts[s] ?? 0), 0);
  return (
    <div>
      <svg viewBox="0 0 1000 24" width="100%" height="24" preserveAspectRatio="none" role="img">
        <title>{t('plan.chart.status')}</title>
        <rect x="0" y="0" width="1000" height="24" fill="#f5f5f5" />
        {(() => {
          let x = 0;
          return upgradeStatuses.map((s) => {
            const width = total === 0 ? 0 : ((counts[s] ?? 0) / total) * 1000;
            const rect = <rect key={s} x={x} y="0" width={width} height="24" fill={statusColors[s]} />;
            x += width;
            return rect;
          });
        })()}
      </svg>
      <Flex wrap gap={12} style={{ marginTop: 8 }}>
        {upgradeStatuses.map((s) => (
          <Typography.Text key={s} type="secondary">
            <span style={{ color: statusColors[s] }}>■</span> {t(`upgrade.status.${s}`)} {counts[s] ?? 0}
          </Typography.Text>
        ))}
      </Flex>
    </div>
  );
}

function CompletionsChart({ completions }: { completions: PlanReport['completions'] }) {
  const t = useT();
  const width = 600;
  const height = 160;
  let success = 0;
  let failure = 0;
  const points = completions.map((c) => {
    success += c.success;
    failure += c.failure;
    return { at: Date.parse(c.at), success, failure };
  });
  const top = Math.max(1, success, failure);
  const first = points[0]?.at ?? 0;
  const span = Math.max(60_000, (points.at(-1)?.at ?? 0) - first);
  const x = (at: number) => 30 + ((at - first) / span) * (width - 40);
  const y = (n: number) => height - 20 - (n / top) * (height - 30);
  const line = (key: 'success' | 'failure') =>
    points.length === 1
      ? `M 30 ${y(points[0]![key])} L ${width - 10} ${y(points[0]![key])}`
      : points.map((p, i) => `${i === 0 ? 'M' : 'L'} ${x(p.at)} ${y(p[key])}`).join(' ');
  return (
    <svg viewBox={`0 0 ${width} ${height}`} width="100%" role="img" data-testid="completions-chart">
      <title>{t('plan.chart.completions')}</title>
      <line x1="30" y1={height - 20} x2={width - 10} y2={height - 20} stroke="#d9d9d9" />
      <text x="0" y={y(top) + 4} fontSize="11" fill="#8c8c8c">
        {top}
      </text>
      <text x="0" y={height - 16} fontSize="11" fill="#8c8c8c">
        0
      </text>
      {points.length > 0 && (
        <>
          <path d={line('success')} fill="none" stroke={statusColors.success} strokeWidth="2" />
          <path d={line('failure')} fill="none" stroke={statusColors.failure} strokeWidth="2" />
          <text x="30" y={height - 4} fontSize="11" fill="#8c8c8c">
            {new Date(first).toLocaleTimeString()}
          </text>
        </>
      )}
    </svg>
  );
}

function ProgressHistogram({ buckets }: { buckets: number[] }) {
  const t = useT();
  const top = Math.max(1, ...buckets);
  return (
    <svg viewBox="0 0 300 120" width="100%" role="img">
      <title>{t('plan.chart.progress')}</title>
      {buckets.map((count, i) => {
        const h = (count / top) * 90;
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: the ten buckets are fixed positions
          <g key={i}>
            <rect x={i * 30 + 2} y={100 - h} width="26" height={h} fill={statusColors.upgrading} />
            <text x={i * 30 + 15} y="114" fontSize="9" textAnchor="middle" fill="#8c8c8c">
              {i * 10}%
            </text>
          </g>
        );
      })}
    </svg>
  );
}

export function PlanProgressChart({ report }: { report: PlanReport }) {
  const t = useT();
  return (
    <>
      <StatusBar counts={report.counts} />
      <Row gutter={[16, 16]} style={{ marginTop: 16 }}>
        <Col xs={24} lg={14}>
          <Typography.Text strong>{t('plan.chart.completions')}</Typography.Text>
          <CompletionsChart completions={report.completions} />
        </Col>
        <Col xs={24} lg={10}>
          <Typography.Text strong>{t('plan.chart.progress')}</Typography.Text>
          <ProgressHistogram buckets={report.progressBuckets} />
        </Col>
      </Row>
    </>
  );
}

// The fleet's success rate per UTC day (GET /reports/completions), drawn in SVG like the plan
// page's charts: one bar a day, green for the share that succeeded and red for the share that
// failed, the counts in each bar's title; the next step when nothing has finished yet.
import { Card, Empty, Typography } from 'antd';
import { unwrap } from '../../api/api-client.ts';
import type { paths } from '../../api/schema.d.ts';
import { usePolling } from '../../api/use-polling.ts';
import { useApi } from '../../auth/session-context.tsx';
import { useT } from '../../i18n/i18n-context.tsx';
import { statusColors } from '../plans/plan-progress-chart.tsx';

type Completions =
  paths['/api/v1/reports/completions']['get']['responses'][200]['content']['application/json'];

const days = 30;
const width = 600;
const height = 160;

const percent = (rate: number | null) => (rate === null ? '–' : `${Math.round(rate * 100)}%`);

function DailyBars({ items }: { items: Completions['items'] }) {
  const t = useT();
  const slot = (width - 40) / items.length;
  const base = height - 20;
  const full = height - 30;
  return (
    <svg viewBox={`0 0 ${width} ${height}`} width="100%" role="img" data-testid="success-rate-chart">
      <title>{t('overview.successRate')}</title>
      <line x1="30" y1={base} x2={width - 10} y2={base} stroke="#d9d9d9" />
      <text x="0" y={base - full + 4} fontSize="11" fill="#8c8c8c">
        100%
      </text>
      <text x="0" y={base + 4} fontSize="11" fill="#8c8c8c">
        0%
      </text>
      {items.map((item, i) => {
        const x = 30 + i * slot + 1;
        const ended = item.success + item.failure;
        const green = ended === 0 ? 0 : (item.success / ended) * full;
        return (
          <g key={item.day}>
            <title>
              {t('overview.successRateDay', {
                day: item.day,
                success: item.success,
                failure: item.failure,
                rate: percent(item.successRate),
              })}
            </title>
            {/* The whole slot is the hover target, so an empty day still tells its counts. */}
            <rect x={x} y={base - full} width={slot - 2} height={full} fill="transparent" />
            {ended > 0 && (
              <>
                <rect
                  x={x}
                  y={base - full}
                  width={slot - 2}
                  height={full - green}
                  fill={statusColors.failure}
                />
                <rect x={x} y={base - green} width={slot - 2} height={green} fill={statusColors.success} />
              </>
            )}
          </g>
        );
      })}
      <text x="30" y={height - 4} fontSize="11" fill="#8c8c8c">
        {items[0]?.day}
      </text>
      <text x={width - 10} y={height - 4} fontSize="11" fill="#8c8c8c" textAnchor="end">
        {items.at(-1)?.day}
      </text>
    </svg>
  );
}

export function SuccessRateChart() {
  const t = useT();
  const api = useApi();
  const report = usePolling<Completions>(
    'overview-success-rate',
    () => unwrap(api.GET('/api/v1/reports/completions', { params: { query: { days } } })),
    true,
    30_000,
  );
  const total = report.data?.total;
  return (
    <Card title={t('overview.successRate')} loading={report.data === null && report.error === null}>
      {report.error !== null && (
        <Typography.Text type="danger">{String((report.error as Error).message)}</Typography.Text>
      )}
      {total && total.success + total.failure === 0 && (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('overview.successRateEmpty', { days })} />
      )}
      {report.data && total && total.success + total.failure > 0 && (
        <>
          <Typography.Text type="secondary">
            {t('overview.successRateTotal', {
              days,
              success: total.success,
              failure: total.failure,
              rate: percent(total.successRate),
            })}
          </Typography.Text>
          <DailyBars items={report.data.items} />
        </>
      )}
    </Card>
  );
}

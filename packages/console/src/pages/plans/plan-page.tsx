// One plan: its settings, counts by status, success rate, failure reasons, a progress chart and
// the device table, reloaded on each of the plan's live events (polled every 2 s until the plan is
// finished while the event stream is not open); an action reloads it at once.
import { ArrowLeftOutlined } from '@ant-design/icons';
import {
  Alert,
  Card,
  Col,
  Descriptions,
  Result,
  Row,
  Skeleton,
  Space,
  Statistic,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { unwrap } from '../../api/api-client.ts';
import { messageOf } from '../../api/api-error.ts';
import { planEvents } from '../../api/live-events.tsx';
import type { PlanDetail, PlanReport, PlanTargets } from '../../api/types.ts';
import { usePolling } from '../../api/use-polling.ts';
import { useApi } from '../../auth/session-context.tsx';
import { PageHeader } from '../../components/page-header.tsx';
import type { MessageKey } from '../../i18n/en.ts';
import { useT } from '../../i18n/i18n-context.tsx';
import { PlanActions } from './plan-actions.tsx';
import { PlanComponentsCard } from './plan-components-card.tsx';
import { PlanHistoryCard } from './plan-history-card.tsx';
import { PlanProgressChart, upgradeStatuses } from './plan-progress-chart.tsx';
import { PlanUpgradesTable } from './plan-upgrades-table.tsx';
import { PlanWavesCard } from './plan-waves-card.tsx';
import { statusColor } from './plans-page.tsx';

const percent = (rate: number | null) => (rate === null ? '–' : `${Math.round(rate * 1000) / 10}%`);

function emptyTextKey(plan: PlanDetail): MessageKey {
  if (plan.status === 'draft') return 'plan.upgrades.emptyDraft';
  if (plan.status === 'scheduled') return 'plan.upgrades.emptyScheduled';
  return 'plan.upgrades.empty';
}

export function PlanPage() {
  const t = useT();
  const api = useApi();
  const id = Number(useParams()['id']);
  const [live, setLive] = useState(true);
  const polled = usePolling<{ plan: PlanDetail; report: PlanReport; targets: PlanTargets | null }>(
    `plan-${id}`,
    async () => {
      const path = { params: { path: { id } } };
      const [plan, report] = await Promise.all([
        unwrap(api.GET('/api/v1/plans/{id}', path)),
        unwrap(
          api.GET('/api/v1/plans/{id}/report', { params: { path: { id }, query: { bucketMinutes: 1 } } }),
        ),
      ]);
      // Before the start, what publishing would enrol (devices are counted again at the start).
      const waiting = plan.status === 'draft' || plan.status === 'scheduled';
      const targets = waiting ? await unwrap(api.GET('/api/v1/plans/{id}/targets', path)) : null;
      setLive(!['completed', 'cancelled', 'expired'].includes(plan.status));
      return { plan, report, targets };
    },
    live,
    2000,
    planEvents(id),
  );

  const back = (
    <Link to="/plans">
      <ArrowLeftOutlined /> {t('plan.back')}
    </Link>
  );
  if (!polled.data && polled.error) {
    return <Result status="warning" title={messageOf(polled.error)} extra={back} />;
  }
  if (!polled.data) return <Skeleton active />;
  const { plan, report, targets } = polled.data;
  // Start and end times read in the plan's time zone, when it has one.
  const zoned = plan.timeZone ? { timeZone: plan.timeZone, timeZoneName: 'short' as const } : {};
  const target = plan.target;

  return (
    <>
      {back}
      <PageHeader
        title={
          <>
            {plan.name} <Tag color={statusColor[plan.status]}>{t(`plans.status.${plan.status}`)}</Tag>
          </>
        }
        actions={
          <PlanActions plan={plan} awaiting={report.awaitingConfirmation} onChanged={polled.refresh} />
        }
      />
      {targets && (
        <Alert
          type={targets.busy > 0 ? 'warning' : 'info'}
          showIcon
          data-testid="plan-targets"
          message={t('plan.targets', { count: targets.devices })}
          description={targets.busy > 0 ? t('plan.targets.busy', { count: targets.busy }) : undefined}
          style={{ marginBottom: 16 }}
        />
      )}
      {polled.error !== null && (
        <Alert type="error" showIcon message={messageOf(polled.error)} style={{ marginBottom: 16 }} />
      )}
      <Row gutter={[16, 16]} style={{ marginBottom: 16 }}>
        <Col xs={12} md={6} lg={3}>
          <Card size="small">
            <Statistic title={t('plan.total')} value={report.summary.total} />
          </Card>
        </Col>
        {upgradeStatuses.map((s) => (
          <Col key={s} xs={12} md={6} lg={3}>
            <Card size="small">
              {/* Success counts the devices upgraded; those already on the target stand apart. */}
              <Statistic
                title={t(`upgrade.status.${s}`)}
                value={s === 'success' ? report.outcomes.upgraded : (report.counts[s] ?? 0)}
              />
            </Card>
          </Col>
        ))}
        <Col xs={12} md={6} lg={3}>
          <Card size="small">
            <Statistic title={t('upgrade.noUpdateRequired')} value={report.outcomes.noUpdateRequired} />
          </Card>
        </Col>
        <Col xs={12} md={6} lg={3}>
          <Card size="small">
            <Statistic title={t('plan.successRate')} value={percent(report.summary.successRate)} />
          </Card>
        </Col>
        <Col xs={12} md={6} lg={3}>
          <Card size="small">
            <Statistic title={t('plan.refusals')} value={report.refusals.total} />
            <Typography.Text type="secondary">
              {t('plan.refusals.detail', {
                devices: report.refusals.devices,
                waiting: report.refusals.waiting,
              })}
            </Typography.Text>
          </Card>
        </Col>
      </Row>
      <Row gutter={[16, 16]} style={{ marginBottom: 16 }}>
        <Col xs={24} lg={16}>
          <Card title={t('plan.progress')}>
            <PlanProgressChart report={report} />
          </Card>
        </Col>
        <Col xs={24} lg={8}>
          <Card title={t('plan.failureReasons')}>
            <Table
              rowKey="reason"
              size="small"
              pagination={false}
              dataSource={report.failureReasons}
              locale={{ emptyText: t('plan.failureReasons.none') }}
              columns={[
                {
                  title: t('plan.failureReason'),
                  dataIndex: 'reason',
                  render: (reason: string) => t(`failure.${reason}` as MessageKey),
                },
                { title: t('plan.devices'), dataIndex: 'count' },
              ]}
            />
          </Card>
        </Col>
      </Row>
      {report.components.length > 1 && <PlanComponentsCard report={report} />}
      {report.waves.length > 0 && <PlanWavesCard plan={plan} report={report} />}
      <Card title={t('plan.devices')} style={{ marginBottom: 16 }}>
        <PlanUpgradesTable
          planId={plan.id}
          version={`${JSON.stringify(report.counts)} ${plan.status} ${report.awaitingConfirmation}`}
          emptyText={t(emptyTextKey(plan))}
          onChanged={polled.refresh}
        />
      </Card>
      <PlanHistoryCard planId={plan.id} report={report} version={plan.updatedAt} />
      <Card title={t('plan.settings')}>
        <Descriptions column={{ xs: 1, md: 2 }} size="small">
          <Descriptions.Item label={t('planForm.firmware')}>
            <Space direction="vertical" size={0}>
              {plan.components.map((c) => (
                <span key={c.index}>
                  {plan.components.length > 1 && `${c.index + 1}. `}
                  <code>{c.module}</code> → <strong>{c.targetVersion}</strong>
                  {c.sourceVersion && ` (${t('firmware.type.delta')} ← ${c.sourceVersion})`}
                  {c.specifiedVersions.length > 0 && ` [${c.specifiedVersions.join(', ')}]`}
                </span>
              ))}
            </Space>
          </Descriptions.Item>
          <Descriptions.Item label={t('planForm.target')}>
            {t(`planForm.target.${target.kind}`)}
            {target.kind === 'devices' && `: ${target.deviceIds.length}`}
            {target.kind === 'groups' && `: ${target.groupIds.join(', ')}`}
            {target.kind === 'versions' && `: ${target.versions.join(', ')}`}
          </Descriptions.Item>
          <Descriptions.Item label={t('plans.mode')}>{t(`plans.mode.${plan.mode}`)}</Descriptions.Item>
          <Descriptions.Item label={t('planForm.start')}>
            {plan.start.mode === 'at'
              ? new Date(plan.start.at).toLocaleString(undefined, zoned)
              : t(`planForm.start.${plan.start.mode}`)}
          </Descriptions.Item>
          <Descriptions.Item label={t('planForm.deadline')}>
            {plan.deadline ? new Date(plan.deadline).toLocaleString(undefined, zoned) : '–'}
          </Descriptions.Item>
          <Descriptions.Item label={t('planForm.concurrency')}>{plan.concurrency}</Descriptions.Item>
          <Descriptions.Item label={t('planForm.retryAttempts')}>
            {plan.retry.attempts} × {plan.retry.intervalSeconds} s
          </Descriptions.Item>
          <Descriptions.Item label={t('planForm.failurePercent')}>
            {plan.failureThreshold
              ? `${plan.failureThreshold.percent}% / ${plan.failureThreshold.minFinished}`
              : '–'}
          </Descriptions.Item>
          <Descriptions.Item label={t('planForm.minSignal')}>{plan.minSignal ?? '–'}</Descriptions.Item>
          <Descriptions.Item label={t('planForm.minBattery')}>{plan.minBattery ?? '–'}</Descriptions.Item>
          <Descriptions.Item label={t('planForm.minFreeSpace')}>{plan.minFreeSpace ?? '–'}</Descriptions.Item>
          <Descriptions.Item label={t('planForm.pushPeriod')}>
            {plan.pushPeriodSeconds ?? '–'}
          </Descriptions.Item>
          <Descriptions.Item label={t('planForm.timeZone')}>{plan.timeZone ?? '–'}</Descriptions.Item>
          <Descriptions.Item label={t('planForm.windowFrom')}>
            {plan.pushWindow
              ? `${plan.pushWindow.fromHour}:00 – ${plan.pushWindow.toHour}:00`
              : t('plan.window.any')}
          </Descriptions.Item>
          <Descriptions.Item label={t('planForm.pushActively')}>
            {plan.pushActively ? t('app.yes') : t('app.no')}
          </Descriptions.Item>
          <Descriptions.Item label={t('planForm.rejectionPeriod')}>
            {plan.rejectionPeriodSeconds / 60} min
          </Descriptions.Item>
          <Descriptions.Item label={t('planForm.healthWindow')}>
            {plan.healthWindowSeconds === null
              ? t('plan.healthWindow.none')
              : `${plan.healthWindowSeconds / 60} min`}
          </Descriptions.Item>
          <Descriptions.Item label={t('planForm.verification')}>
            {plan.verification ? t('app.yes') : t('app.no')}
          </Descriptions.Item>
          <Descriptions.Item label={t('plan.createdBy')}>{plan.createdBy}</Descriptions.Item>
        </Descriptions>
      </Card>
    </>
  );
}

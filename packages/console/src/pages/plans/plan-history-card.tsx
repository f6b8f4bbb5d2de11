// The rollout as it happened, which "Retry failed" does not wipe: devices that ever failed,
// failed attempts, the first-attempt success rate beside the current one, every failure reason
// seen (retried devices included), and the plan's lifecycle transitions as a timeline.
import { Card, Col, Empty, Row, Statistic, Table, Timeline, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { unwrap } from '../../api/api-client.ts';
import type { PlanReport } from '../../api/types.ts';
import { useApi } from '../../auth/session-context.tsx';
import type { MessageKey } from '../../i18n/en.ts';
import { useT } from '../../i18n/i18n-context.tsx';

const percent = (rate: number | null) => (rate === null ? '–' : `${Math.round(rate * 1000) / 10}%`);

interface Transition {
  from: string;
  to: string;
  action: string;
  actor: string;
  at: string;
  reason: string | null;
}

interface Props {
  planId: number;
  report: PlanReport;
  /** The plan's updatedAt: transitions are read again when it changes. */
  version: string;
}

export function PlanHistoryCard({ planId, report, version }: Props) {
  const t = useT();
  const api = useApi();
  const [transitions, setTransitions] = useState<Transition[] | null>(null);
  // Read again whenever the plan changes (a transition changes its updatedAt).
  const changedAt = version;
  useEffect(() => {
    let gone = false;
    const query = { params: { path: { id: planId } }, headers: { 'if-none-match': `"${changedAt}"` } };
    void unwrap(api.GET('/api/v1/plans/{id}/transitions', query))
      .then((answer) => !gone && setTransitions(answer.items))
      .catch(() => !gone && setTransitions([]));
    return () => {
      gone = true;
    };
  }, [api, planId, changedAt]);
  const { history } = report;
  return (
    <Card title={t('plan.history')} style={{ marginBottom: 16 }} data-testid="plan-history">
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={14}>
          <Row gutter={[16, 16]} style={{ marginBottom: 16 }}>
            <Col xs={12} md={6}>
              <Statistic title={t('plan.history.devicesFailed')} value={history.devicesFailed} />
            </Col>
            <Col xs={12} md={6}>
              <Statistic title={t('plan.history.failedAttempts')} value={history.failedAttempts} />
            </Col>
            <Col xs={12} md={6}>
              <Statistic
                title={t('plan.history.firstAttemptRate')}
                value={percent(history.firstAttemptSuccessRate)}
              />
            </Col>
            <Col xs={12} md={6}>
              <Statistic title={t('plan.history.currentRate')} value={percent(report.summary.successRate)} />
            </Col>
          </Row>
          <Table
            rowKey="reason"
            size="small"
            pagination={false}
            dataSource={history.failureReasons}
            locale={{ emptyText: t('plan.failureReasons.none') }}
            columns={[
              {
                title: t('plan.history.reasonsEver'),
                dataIndex: 'reason',
                render: (reason: string) => t(`failure.${reason}` as MessageKey),
              },
              { title: t('plan.devices'), dataIndex: 'count' },
            ]}
          />
        </Col>
        <Col xs={24} lg={10}>
          <Typography.Title level={5}>{t('plan.history.timeline')}</Typography.Title>
          {transitions === null || transitions.length === 0 ? (
            <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('plan.history.noTransitions')} />
          ) : (
            <Timeline
              items={transitions.map((tr) => ({
                key: `${tr.at}-${tr.to}`,
                children: (
                  <>
                    <Typography.Text strong>
                      {t(`plans.status.${tr.from}` as MessageKey)} →{' '}
                      {t(`plans.status.${tr.to}` as MessageKey)}
                    </Typography.Text>{' '}
                    <Typography.Text type="secondary">
                      {new Date(tr.at).toLocaleString()} · {tr.actor}
                      {tr.reason ? ` · ${tr.reason}` : ''}
                    </Typography.Text>
                  </>
                ),
              }))}
            />
          )}
        </Col>
      </Row>
    </Card>
  );
}

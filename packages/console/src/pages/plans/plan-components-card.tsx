// The plan's components in upgrade order, with how many devices each component's state holds
// (GET /plans/{id}/report, `components`): shown for plans of several components.
import { Card, Space, Table, Tag, Typography } from 'antd';
import type { DeviceUpgrade, PlanReport } from '../../api/types.ts';
import { useT } from '../../i18n/i18n-context.tsx';

type ComponentStatus = DeviceUpgrade['components'][number]['status'];

export const componentColors: Record<ComponentStatus, string> = {
  waiting: 'default',
  pending: 'default',
  pushed: 'blue',
  upgrading: 'processing',
  success: 'success',
  skipped: 'cyan',
  failure: 'error',
  cancelled: 'default',
  not_reached: 'warning',
};

/** One tag per component: `module: state`. */
export function ComponentTags({ components }: { components: DeviceUpgrade['components'] }) {
  const t = useT();
  return (
    <Space size={4} wrap>
      {components.map((c) => (
        <Tag key={c.module} color={componentColors[c.status]}>
          {c.module}: {t(`component.status.${c.status}`)}
        </Tag>
      ))}
    </Space>
  );
}

export function PlanComponentsCard({ report }: { report: PlanReport }) {
  const t = useT();
  return (
    <Card title={t('plan.components')} style={{ marginBottom: 16 }} data-testid="plan-components">
      <Typography.Paragraph type="secondary">{t('plan.components.help')}</Typography.Paragraph>
      <Table
        rowKey="index"
        size="small"
        pagination={false}
        dataSource={report.components}
        columns={[
          { title: '#', dataIndex: 'index', render: (i: number) => i + 1, width: 48 },
          { title: t('planForm.module'), dataIndex: 'module', render: (m: string) => <code>{m}</code> },
          { title: t('planForm.firmware'), dataIndex: 'targetVersion' },
          {
            title: t('plan.devices'),
            key: 'counts',
            render: (_: unknown, row: PlanReport['components'][number]) => (
              <Space size={4} wrap>
                {(Object.entries(row.counts) as [ComponentStatus, number][])
                  .filter(([, n]) => n > 0)
                  .map(([status, n]) => (
                    <Tag key={status} color={componentColors[status]}>
                      {t(`component.status.${status}`)} {n}
                    </Tag>
                  ))}
              </Space>
            ),
          },
        ]}
      />
    </Card>
  );
}

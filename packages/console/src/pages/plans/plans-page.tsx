// Upgrade plans: the list with status and target, filtered by product and status; a plan opens
// its page, and operators create one with the plan editor.
import { PlusOutlined } from '@ant-design/icons';
import { Button, Card, Select, Space, Table, Tag } from 'antd';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { unwrap } from '../../api/api-client.ts';
import type { Plan } from '../../api/types.ts';
import { usePagedList } from '../../api/use-paged-list.ts';
import { useApi, useCan } from '../../auth/session-context.tsx';
import { EmptyState } from '../../components/empty-state.tsx';
import { PageHeader } from '../../components/page-header.tsx';
import { ProductSelect } from '../../components/product-select.tsx';
import { useT } from '../../i18n/i18n-context.tsx';

const statuses = ['draft', 'scheduled', 'running', 'paused', 'completed', 'cancelled', 'expired'] as const;
export const statusColor: Record<Plan['status'], string> = {
  draft: 'default',
  scheduled: 'cyan',
  running: 'processing',
  paused: 'warning',
  completed: 'success',
  cancelled: 'default',
  expired: 'error',
};

export function PlansPage() {
  const t = useT();
  const api = useApi();
  const navigate = useNavigate();
  const canCreate = useCan('operator');
  const [productId, setProductId] = useState<number | undefined>();
  const [status, setStatus] = useState<Plan['status'] | undefined>();
  const plans = usePagedList(`plans?product=${productId ?? ''}&status=${status ?? ''}`, (cursor) =>
    unwrap(
      api.GET('/api/v1/plans', {
        params: {
          query: {
            limit: 50,
            ...(productId && { productId }),
            ...(status && { status }),
            ...(cursor && { cursor }),
          },
        },
      }),
    ),
  );

  const createButton = canCreate && (
    <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate('/plans/new')}>
      {t('plans.create')}
    </Button>
  );
  return (
    <>
      <PageHeader title={t('plans.title')} actions={createButton} />
      <Card>
        <Space wrap style={{ marginBottom: 16 }}>
          <ProductSelect
            allowClear
            placeholder={t('firmware.product')}
            value={productId}
            onChange={setProductId}
          />
          <Select<Plan['status']>
            allowClear
            placeholder={t('plans.status')}
            value={status}
            onChange={setStatus}
            options={statuses.map((s) => ({ value: s, label: t(`plans.status.${s}`) }))}
            style={{ minWidth: 150 }}
          />
        </Space>
        <Table<Plan>
          rowKey="id"
          loading={plans.loading}
          dataSource={plans.items}
          pagination={false}
          scroll={{ x: 640 }}
          locale={{
            emptyText: plans.loading ? (
              ' '
            ) : (
              <EmptyState
                text={t(canCreate ? 'plans.empty' : 'plans.emptyViewer')}
                action={
                  <Space>
                    {createButton}
                    <Button onClick={() => navigate('/firmware')}>{t('menu.firmware')}</Button>
                  </Space>
                }
              />
            ),
          }}
          columns={[
            {
              title: t('plans.name'),
              dataIndex: 'name',
              render: (name: string, plan) => <Link to={`/plans/${plan.id}`}>{name}</Link>,
            },
            {
              title: t('plans.status'),
              dataIndex: 'status',
              render: (s: Plan['status']) => <Tag color={statusColor[s]}>{t(`plans.status.${s}`)}</Tag>,
            },
            {
              title: t('plans.target'),
              key: 'target',
              render: (_: unknown, plan) => (
                <span>
                  <code>{plan.module}</code> → <strong>{plan.targetVersion}</strong>
                  {plan.packageKind === 'delta' && (
                    <Tag style={{ marginLeft: 8 }}>{t('firmware.type.delta')}</Tag>
                  )}
                </span>
              ),
            },
            {
              title: t('plans.mode'),
              dataIndex: 'mode',
              responsive: ['md'],
              render: (mode: Plan['mode']) => t(`plans.mode.${mode}`),
            },
            {
              title: t('app.createdAt'),
              dataIndex: 'createdAt',
              responsive: ['lg'],
              render: (at: string) => new Date(at).toLocaleString(),
            },
          ]}
        />
        {plans.hasMore && (
          <Button onClick={plans.loadMore} loading={plans.loading} style={{ marginTop: 16 }}>
            {t('app.loadMore')}
          </Button>
        )}
      </Card>
    </>
  );
}

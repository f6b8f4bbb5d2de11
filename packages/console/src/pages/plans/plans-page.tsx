// Upgrade plans: the list with status and target, filtered by product, status and firmware
// package (`?firmwarePackageId=`, the firmware page's "Plans" link: "view the tasks of this
// package", seed 004), with each started plan's progress (plan-progress-cell.tsx); a plan opens
// its page, and operators create one with the plan editor.
import { PlusOutlined } from '@ant-design/icons';
import { Button, Card, Select, Space, Table, Tag } from 'antd';
import { useEffect, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { unwrap } from '../../api/api-client.ts';
import type { FirmwarePackage, Plan } from '../../api/types.ts';
import { usePagedList } from '../../api/use-paged-list.ts';
import { useApi, useCan } from '../../auth/session-context.tsx';
import { EmptyState } from '../../components/empty-state.tsx';
import { PageHeader } from '../../components/page-header.tsx';
import { ProductSelect } from '../../components/product-select.tsx';
import { useT } from '../../i18n/i18n-context.tsx';
import { planStatusTagColors } from '../../theme/contrast-colors.ts';
import { PlanProgressCell } from './plan-progress-cell.tsx';

const statuses = ['draft', 'scheduled', 'running', 'paused', 'completed', 'cancelled', 'expired'] as const;
/** Plan status tags, dark enough for their white text (theme/contrast-colors.ts). */
export const statusColor = planStatusTagColors;

export function PlansPage() {
  const t = useT();
  const api = useApi();
  const navigate = useNavigate();
  const canCreate = useCan('operator');
  const [productId, setProductId] = useState<number | undefined>();
  const [status, setStatus] = useState<Plan['status'] | undefined>();
  const [params, setParams] = useSearchParams();
  const packageId = Number(params.get('firmwarePackageId')) || undefined;
  const [packages, setPackages] = useState<FirmwarePackage[]>([]);
  const plans = usePagedList(
    `plans?product=${productId ?? ''}&status=${status ?? ''}&package=${packageId ?? ''}`,
    (cursor) =>
      unwrap(
        api.GET('/api/v1/plans', {
          params: {
            query: {
              limit: 50,
              ...(productId && { productId }),
              ...(status && { status }),
              ...(packageId && { firmwarePackageId: packageId }),
              ...(cursor && { cursor }),
            },
          },
        }),
      ),
  );

  // The packages to choose from: the product's, or the latest ones, and the one in the URL.
  useEffect(() => {
    let live = true;
    void (async () => {
      const page = await unwrap(
        api.GET('/api/v1/firmware', { params: { query: { limit: 100, ...(productId && { productId }) } } }),
      );
      const chosen =
        packageId && !page.items.some((p) => p.id === packageId)
          ? [await unwrap(api.GET('/api/v1/firmware/{id}', { params: { path: { id: packageId } } }))]
          : [];
      if (live) setPackages([...chosen, ...page.items]);
    })().catch(() => {});
    return () => {
      live = false;
    };
  }, [api, productId, packageId]);
  const choosePackage = (id: number | undefined) =>
    setParams(
      (p) => {
        if (id === undefined) p.delete('firmwarePackageId');
        else p.set('firmwarePackageId', String(id));
        return p;
      },
      { replace: true },
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
            aria-label={t('plans.status')}
            placeholder={t('plans.status')}
            value={status}
            onChange={setStatus}
            options={statuses.map((s) => ({ value: s, label: t(`plans.status.${s}`) }))}
            style={{ minWidth: 150 }}
          />
          <Select<number>
            allowClear
            showSearch
            optionFilterProp="label"
            aria-label={t('plans.package')}
            placeholder={t('plans.package')}
            value={packageId}
            onChange={choosePackage}
            options={packages.map((p) => ({
              value: p.id,
              label: `${p.name} (${p.module} ${p.version})`,
            }))}
            style={{ minWidth: 220 }}
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
              title: t('plans.progress'),
              key: 'progress',
              render: (_: unknown, plan) => plan.status !== 'draft' && <PlanProgressCell plan={plan} />,
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

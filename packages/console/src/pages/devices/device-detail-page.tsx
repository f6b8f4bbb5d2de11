// One device: its product, state (online, signal, battery, tags, gateway), reported versions per
// module, its sub-devices when it is a gateway, and its upgrade history across plans (by name)
// with each upgrade's log.
import { ArrowLeftOutlined } from '@ant-design/icons';
import { Badge, Button, Card, Descriptions, Result, Skeleton, Space, Table, Tag } from 'antd';
import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { unwrap } from '../../api/api-client.ts';
import { messageOf } from '../../api/api-error.ts';
import type { Device, DeviceDetail, DeviceUpgrade } from '../../api/types.ts';
import { useNames } from '../../api/use-names.ts';
import { usePagedList } from '../../api/use-paged-list.ts';
import { useApi, useCan } from '../../auth/session-context.tsx';
import { EmptyState } from '../../components/empty-state.tsx';
import { PageHeader } from '../../components/page-header.tsx';
import { useT } from '../../i18n/i18n-context.tsx';
import { upgradeStatusTagColors } from '../../theme/contrast-colors.ts';
import { ComponentTags } from '../plans/plan-components-card.tsx';
import { UpgradeLogDrawer } from '../plans/upgrade-log-drawer.tsx';
import { DeviceActions } from './device-actions.tsx';

const when = (at: string | null, never: string) => (at ? new Date(at).toLocaleString() : never);

export function DeviceDetailPage() {
  const t = useT();
  const api = useApi();
  const id = Number(useParams()['id']);
  const [device, setDevice] = useState<DeviceDetail | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [open, setOpen] = useState<number | null>(null);
  const [loaded, setLoaded] = useState(0);
  const canChange = useCan('operator');
  const path = { params: { path: { id } } };
  const history = usePagedList(`device-upgrades?${id}`, (cursor) =>
    unwrap(
      api.GET('/api/v1/devices/{id}/upgrades', {
        params: { path: { id }, query: { limit: 50, ...(cursor && { cursor }) } },
      }),
    ),
  );
  const subDevices = usePagedList(`sub-devices?${id}`, (cursor) =>
    unwrap(
      api.GET('/api/v1/devices/{id}/sub-devices', {
        params: { path: { id }, query: { limit: 50, ...(cursor && { cursor }) } },
      }),
    ),
  );

  const planNames = useNames(
    history.items.map((u) => u.planId),
    async (planId) =>
      (await unwrap(api.GET('/api/v1/plans/{id}', { params: { path: { id: planId } } }))).name,
  );
  const productNames = useNames(
    device ? [device.productId] : [],
    async (productId) =>
      (await unwrap(api.GET('/api/v1/products/{id}', { params: { path: { id: productId } } }))).name,
  );
  const gatewayNames = useNames(
    device?.gatewayId ? [device.gatewayId] : [],
    async (gatewayId) =>
      (await unwrap(api.GET('/api/v1/devices/{id}', { params: { path: { id: gatewayId } } }))).name,
  );

  // biome-ignore lint/correctness/useExhaustiveDependencies: path is rebuilt from id each render
  useEffect(() => {
    setDevice(null);
    setFailure(null);
    unwrap(api.GET('/api/v1/devices/{id}', path)).then(setDevice, (error) => setFailure(messageOf(error)));
  }, [api, id, loaded]);

  const back = (
    <Link to="/devices">
      <ArrowLeftOutlined /> {t('device.back')}
    </Link>
  );
  if (failure) return <Result status="warning" title={failure} extra={back} />;
  if (!device) return <Skeleton active />;

  return (
    <>
      {back}
      <PageHeader
        title={device.name}
        actions={canChange && <DeviceActions device={device} onChanged={() => setLoaded((n) => n + 1)} />}
      />
      <Card style={{ marginBottom: 16 }}>
        <Descriptions column={{ xs: 1, md: 3 }} size="small">
          <Descriptions.Item label={t('device.product')}>
            <Link to={`/products/${device.productId}`}>
              {productNames.get(device.productId) ?? `#${device.productId}`}
            </Link>
          </Descriptions.Item>
          <Descriptions.Item label={t('devices.online')}>
            <Badge
              status={device.online ? 'success' : 'default'}
              text={device.online ? t('devices.status.online') : t('devices.status.offline')}
            />
          </Descriptions.Item>
          <Descriptions.Item label={t('devices.lastSeen')}>
            {when(device.lastSeenAt, t('devices.never'))}
          </Descriptions.Item>
          <Descriptions.Item label={t('device.signal')}>
            {device.signal === null ? '–' : `${device.signal} dBm`}
          </Descriptions.Item>
          <Descriptions.Item label={t('device.battery')}>
            {device.battery === null ? '–' : `${device.battery}%`}
          </Descriptions.Item>
          <Descriptions.Item label={t('devices.tags')}>
            {device.tags.length ? device.tags.map((tag) => <Tag key={tag}>{tag}</Tag>) : '–'}
          </Descriptions.Item>
          <Descriptions.Item label={t('device.gateway')}>
            {device.gatewayId === null ? (
              '–'
            ) : (
              <Link to={`/devices/${device.gatewayId}`}>
                {gatewayNames.get(device.gatewayId) ?? `#${device.gatewayId}`}
              </Link>
            )}
          </Descriptions.Item>
          <Descriptions.Item label={t('app.createdAt')}>{when(device.createdAt, '–')}</Descriptions.Item>
        </Descriptions>
      </Card>
      <Card title={t('device.versions')} style={{ marginBottom: 16 }}>
        <Table
          rowKey="module"
          size="small"
          pagination={false}
          dataSource={device.versions}
          locale={{ emptyText: <EmptyState text={t('device.versionsEmpty')} /> }}
          columns={[
            { title: t('devices.module'), dataIndex: 'module', render: (m: string) => <code>{m}</code> },
            {
              title: t('devices.version'),
              dataIndex: 'version',
              render: (v: string) => <strong>{v}</strong>,
            },
            { title: t('device.reportedAt'), dataIndex: 'reportedAt', render: (at: string) => when(at, '–') },
          ]}
        />
      </Card>
      {device.subDevices > 0 && (
        <Card title={t('device.subDevices', { count: device.subDevices })} style={{ marginBottom: 16 }}>
          <Table<Device>
            rowKey="id"
            size="small"
            pagination={false}
            loading={subDevices.loading}
            dataSource={subDevices.items}
            columns={[
              {
                title: t('devices.name'),
                dataIndex: 'name',
                render: (name: string, row) => <Link to={`/devices/${row.id}`}>{name}</Link>,
              },
              {
                title: t('devices.online'),
                dataIndex: 'online',
                render: (online: boolean) =>
                  online ? t('devices.status.online') : t('devices.status.offline'),
              },
              {
                title: t('devices.lastSeen'),
                dataIndex: 'lastSeenAt',
                render: (at: string | null) => when(at, t('devices.never')),
              },
            ]}
          />
          {subDevices.hasMore && (
            <Button onClick={subDevices.loadMore} style={{ marginTop: 16 }}>
              {t('app.loadMore')}
            </Button>
          )}
        </Card>
      )}
      <Card title={t('device.history')}>
        <Table<DeviceUpgrade>
          rowKey="id"
          size="small"
          pagination={false}
          loading={history.loading}
          dataSource={history.items}
          scroll={{ x: 560 }}
          locale={{ emptyText: history.loading ? ' ' : <EmptyState text={t('device.historyEmpty')} /> }}
          columns={[
            {
              title: t('device.plan'),
              dataIndex: 'planId',
              render: (planId: number) => (
                <Link to={`/plans/${planId}`}>{planNames.get(planId) ?? `#${planId}`}</Link>
              ),
            },
            { title: t('devices.module'), dataIndex: 'module', render: (m: string) => <code>{m}</code> },
            {
              title: t('plans.status'),
              dataIndex: 'status',
              render: (s: DeviceUpgrade['status'], row) => (
                <Space size={4} wrap>
                  <Tag color={upgradeStatusTagColors[s]}>{t(`upgrade.status.${s}`)}</Tag>
                  {row.components.length > 1 && <ComponentTags components={row.components} />}
                </Space>
              ),
            },
            {
              title: t('plan.failureReason'),
              dataIndex: 'failureReason',
              render: (reason: DeviceUpgrade['failureReason']) => (reason ? t(`failure.${reason}`) : '–'),
            },
            {
              title: t('upgrade.log'),
              key: 'log',
              render: (_: unknown, row) => (
                <Button size="small" onClick={() => setOpen(row.id)}>
                  {t('device.showLog')}
                </Button>
              ),
            },
          ]}
        />
        {history.hasMore && (
          <Button onClick={history.loadMore} style={{ marginTop: 16 }}>
            {t('app.loadMore')}
          </Button>
        )}
      </Card>
      <UpgradeLogDrawer upgradeId={open} onClose={() => setOpen(null)} />
    </>
  );
}

// Devices: filter by product, version, group, tag and online state, with the exact total of what
// matches; each row names its product and reported versions; register one (secret shown once)
// or import many from CSV; a name opens the device's page.
import { ImportOutlined, PlusOutlined } from '@ant-design/icons';
import { Alert, Badge, Button, Card, Space, Table, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { unwrap } from '../../api/api-client.ts';
import { messageOf } from '../../api/api-error.ts';
import type { DeviceListItem, DeviceQuery } from '../../api/types.ts';
import { useNames } from '../../api/use-names.ts';
import { usePagedList } from '../../api/use-paged-list.ts';
import { useApi, useCan } from '../../auth/session-context.tsx';
import { DeleteButton } from '../../components/delete-button.tsx';
import { EmptyState } from '../../components/empty-state.tsx';
import { PageHeader } from '../../components/page-header.tsx';
import { useNotify } from '../../components/use-notify.ts';
import { useT } from '../../i18n/i18n-context.tsx';
import { DeviceCreateModal } from './device-create-modal.tsx';
import { DeviceFilters } from './device-filters.tsx';
import { DeviceImportModal } from './device-import-modal.tsx';

export function DevicesPage() {
  const t = useT();
  const api = useApi();
  const canCreate = useCan('operator');
  const [search] = useSearchParams();
  // A group's "Members" link opens the list filtered by it.
  const fromSearch = (): DeviceQuery => {
    const number = (key: string) => (search.has(key) ? Number(search.get(key)) : undefined);
    const productId = number('productId');
    const groupId = number('groupId');
    return { ...(productId && { productId }), ...(groupId && { groupId }) };
  };
  const [filters, setFilters] = useState<DeviceQuery>(fromSearch);
  // Following another link to the list (the menu after a group's members) starts from its filters
  // only (issue 19: the group filter stayed set).
  const linked = search.toString();
  // biome-ignore lint/correctness/useExhaustiveDependencies: the link's query is the trigger
  useEffect(() => setFilters(fromSearch()), [linked]);
  const [creating, setCreating] = useState(false);
  const [importing, setImporting] = useState(false);
  const devices = usePagedList(`devices?${JSON.stringify(filters)}`, (cursor) =>
    unwrap(
      api.GET('/api/v1/devices', { params: { query: { limit: 50, ...filters, ...(cursor && { cursor }) } } }),
    ),
  );
  const [total, setTotal] = useState<string | null>(null);
  const [counted, setCounted] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the filters and each reload are the triggers
  useEffect(() => {
    let live = true;
    setTotal(null);
    unwrap(api.GET('/api/v1/devices/count', { params: { query: filters } })).then(
      // Past the server's counting limit a filtered total is a lower bound (exact false).
      (answer) => live && setTotal(answer.exact ? String(answer.count) : `${answer.count}+`),
      () => {},
    );
    return () => {
      live = false;
    };
  }, [api, JSON.stringify(filters), counted]);
  const products = useNames(
    devices.items.map((d) => d.productId),
    async (id) => (await unwrap(api.GET('/api/v1/products/{id}', { params: { path: { id } } }))).name,
  );
  const notify = useNotify();
  const { groupId } = filters;
  const groupNames = useNames(
    groupId ? [groupId] : [],
    async (id) => (await unwrap(api.GET('/api/v1/groups/{id}', { params: { path: { id } } }))).name,
  );
  const groupName = groupId ? (groupNames.get(groupId) ?? `#${groupId}`) : '';
  const reload = () => {
    devices.reload();
    setCounted((n) => n + 1);
  };

  const createButton = canCreate && (
    <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
      {t('devices.create')}
    </Button>
  );
  return (
    <>
      <PageHeader
        title={t('devices.title')}
        actions={
          canCreate && (
            <Space wrap>
              <Button icon={<ImportOutlined />} onClick={() => setImporting(true)}>
                {t('import.title')}
              </Button>
              {createButton}
            </Space>
          )
        }
      />
      <Card>
        <DeviceFilters key={linked} value={filters} onChange={setFilters} />
        <Typography.Paragraph data-testid="device-total" style={{ marginBottom: 8 }}>
          {total === null ? '\u00a0' : t('devices.total', { count: total })}
        </Typography.Paragraph>
        <Table<DeviceListItem>
          rowKey="id"
          loading={devices.loading}
          dataSource={devices.items}
          pagination={false}
          scroll={{ x: 640 }}
          locale={{
            emptyText: devices.loading ? (
              ' '
            ) : devices.error ? (
              <Alert type="error" showIcon message={messageOf(devices.error)} />
            ) : (
              <EmptyState text={t('devices.empty')} action={createButton} />
            ),
          }}
          columns={[
            {
              title: t('devices.name'),
              dataIndex: 'name',
              render: (name: string, row) => <Link to={`/devices/${row.id}`}>{name}</Link>,
            },
            {
              title: t('devices.product'),
              dataIndex: 'productId',
              render: (productId: number) => (
                <Link to={`/products/${productId}`}>{products.get(productId) ?? `#${productId}`}</Link>
              ),
            },
            {
              title: t('devices.versions'),
              dataIndex: 'versions',
              render: (versions: DeviceListItem['versions']) =>
                versions.length === 0
                  ? '–'
                  : versions.map((v) => (
                      <div key={v.module}>
                        {v.module === 'default' ? v.version : `${v.module} ${v.version}`}
                      </div>
                    )),
            },
            {
              title: t('devices.online'),
              dataIndex: 'online',
              render: (online: boolean) => (
                <Badge
                  status={online ? 'success' : 'default'}
                  text={online ? t('devices.status.online') : t('devices.status.offline')}
                />
              ),
            },
            {
              title: t('devices.tags'),
              dataIndex: 'tags',
              render: (tags: string[]) => tags.map((tag) => <Tag key={tag}>{tag}</Tag>),
            },
            {
              title: t('devices.lastSeen'),
              dataIndex: 'lastSeenAt',
              responsive: ['md'],
              render: (at: string | null) => (at ? new Date(at).toLocaleString() : t('devices.never')),
            },
            // Listed as a group's members: operators take devices out of it here.
            ...(groupId && canCreate
              ? [
                  {
                    title: t('app.actions'),
                    key: 'actions',
                    render: (_: unknown, row: DeviceListItem) => (
                      <DeleteButton
                        size="small"
                        label={t('groups.remove')}
                        cancelText={t('app.no')}
                        question={t('groups.removeQuestion', { name: row.name, group: groupName })}
                        onDelete={async () => {
                          await unwrap(
                            api.DELETE('/api/v1/groups/{id}/members', {
                              params: { path: { id: groupId } },
                              body: { deviceIds: [row.id] },
                            }),
                          );
                          notify.success(t('groups.removed', { name: row.name, group: groupName }));
                          reload();
                        }}
                      />
                    ),
                  },
                ]
              : []),
          ]}
        />
        {devices.hasMore && (
          <Button onClick={devices.loadMore} loading={devices.loading} style={{ marginTop: 16 }}>
            {t('app.loadMore')}
          </Button>
        )}
      </Card>
      <DeviceImportModal
        open={importing}
        onClose={(imported) => {
          setImporting(false);
          if (imported) reload();
        }}
      />
      <DeviceCreateModal
        open={creating}
        defaultProductId={filters.productId}
        onClose={(created) => {
          setCreating(false);
          if (created) reload();
        }}
      />
    </>
  );
}

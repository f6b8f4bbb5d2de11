// Devices: filter by product, version, group, tag and online state; register one (secret shown
// once) or import many from CSV; a name opens the device's page.
import { ImportOutlined, PlusOutlined } from '@ant-design/icons';
import { Badge, Button, Card, Space, Table, Tag } from 'antd';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { unwrap } from '../../api/api-client.ts';
import type { Device, DeviceQuery } from '../../api/types.ts';
import { usePagedList } from '../../api/use-paged-list.ts';
import { useApi, useCan } from '../../auth/session-context.tsx';
import { EmptyState } from '../../components/empty-state.tsx';
import { PageHeader } from '../../components/page-header.tsx';
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
  const [filters, setFilters] = useState<DeviceQuery>(() => {
    const number = (key: string) => (search.has(key) ? Number(search.get(key)) : undefined);
    const productId = number('productId');
    const groupId = number('groupId');
    return { ...(productId && { productId }), ...(groupId && { groupId }) };
  });
  const [creating, setCreating] = useState(false);
  const [importing, setImporting] = useState(false);
  const devices = usePagedList(`devices?${JSON.stringify(filters)}`, (cursor) =>
    unwrap(
      api.GET('/api/v1/devices', { params: { query: { limit: 50, ...filters, ...(cursor && { cursor }) } } }),
    ),
  );

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
        <DeviceFilters value={filters} onChange={setFilters} />
        <Table<Device>
          rowKey="id"
          loading={devices.loading}
          dataSource={devices.items}
          pagination={false}
          scroll={{ x: 640 }}
          locale={{
            emptyText: devices.loading ? ' ' : <EmptyState text={t('devices.empty')} action={createButton} />,
          }}
          columns={[
            {
              title: t('devices.name'),
              dataIndex: 'name',
              render: (name: string, row) => <Link to={`/devices/${row.id}`}>{name}</Link>,
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
          if (imported) devices.reload();
        }}
      />
      <DeviceCreateModal
        open={creating}
        defaultProductId={filters.productId}
        onClose={(created) => {
          setCreating(false);
          if (created) devices.reload();
        }}
      />
    </>
  );
}

// Groups: the list with each group's member count, filtered by product; operators create, rename
// and delete groups and add devices by list or filter. "Members" opens the devices page filtered
// by the group, where operators remove members.
import { PlusOutlined } from '@ant-design/icons';
import { Button, Card, Space, Table } from 'antd';
import { useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { unwrap } from '../../api/api-client.ts';
import type { Group } from '../../api/types.ts';
import { usePagedList } from '../../api/use-paged-list.ts';
import { useApi, useCan } from '../../auth/session-context.tsx';
import { DeleteButton } from '../../components/delete-button.tsx';
import { EditFieldsModal } from '../../components/edit-fields-modal.tsx';
import { EmptyState } from '../../components/empty-state.tsx';
import { PageHeader } from '../../components/page-header.tsx';
import { ProductSelect } from '../../components/product-select.tsx';
import { useNotify } from '../../components/use-notify.ts';
import { useT } from '../../i18n/i18n-context.tsx';
import { GroupAddMembersModal } from './group-add-members-modal.tsx';
import { GroupCreateModal } from './group-create-modal.tsx';

export function GroupsPage() {
  const t = useT();
  const api = useApi();
  const canCreate = useCan('operator');
  const [productId, setProductId] = useState<number | undefined>();
  const [creating, setCreating] = useState(false);
  const [adding, setAdding] = useState<Group | null>(null);
  const [editing, setEditing] = useState<Group | null>(null);
  const notify = useNotify();
  const navigate = useNavigate();
  const groups = usePagedList(`groups?product=${productId ?? ''}`, (cursor) =>
    unwrap(
      api.GET('/api/v1/groups', {
        params: { query: { limit: 50, ...(productId && { productId }), ...(cursor && { cursor }) } },
      }),
    ),
  );
  const createButton = canCreate && (
    <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
      {t('groups.create')}
    </Button>
  );
  return (
    <>
      <PageHeader title={t('groups.title')} actions={createButton} />
      <Card>
        <ProductSelect
          allowClear
          placeholder={t('groups.product')}
          value={productId}
          onChange={setProductId}
          style={{ minWidth: 200, marginBottom: 16 }}
        />
        <Table<Group>
          rowKey="id"
          loading={groups.loading}
          dataSource={groups.items}
          pagination={false}
          scroll={{ x: 480 }}
          locale={{
            emptyText: groups.loading ? ' ' : <EmptyState text={t('groups.empty')} action={createButton} />,
          }}
          columns={[
            { title: t('groups.name'), dataIndex: 'name' },
            { title: t('groups.description'), dataIndex: 'description' },
            { title: t('groups.memberCount'), dataIndex: 'members' },
            {
              title: t('app.createdAt'),
              dataIndex: 'createdAt',
              responsive: ['md'],
              render: (at: string) => new Date(at).toLocaleString(),
            },
            {
              title: t('app.actions'),
              key: 'actions',
              render: (_: unknown, row: Group) => (
                <Space size={4} wrap>
                  <Button
                    size="small"
                    onClick={() => navigate(`/devices?groupId=${row.id}&productId=${row.productId}`)}
                  >
                    {t('groups.members')}
                  </Button>
                  {canCreate && (
                    <>
                      <Button size="small" onClick={() => setAdding(row)}>
                        {t('groups.add')}
                      </Button>
                      <Button size="small" onClick={() => setEditing(row)}>
                        {t('app.edit')}
                      </Button>
                      <DeleteButton
                        size="small"
                        label={t('app.delete')}
                        cancelText={t('app.no')}
                        question={t('groups.deleteQuestion', { name: row.name, count: row.members })}
                        onDelete={async () => {
                          await unwrap(
                            api.DELETE('/api/v1/groups/{id}', { params: { path: { id: row.id } } }),
                          );
                          notify.success(t('app.deleted', { name: row.name }));
                          groups.reload();
                        }}
                      />
                    </>
                  )}
                </Space>
              ),
            },
          ]}
        />
        {groups.hasMore && (
          <Button onClick={groups.loadMore} loading={groups.loading} style={{ marginTop: 16 }}>
            {t('app.loadMore')}
          </Button>
        )}
      </Card>
      <GroupAddMembersModal
        group={adding}
        onClose={() => {
          setAdding(null);
          groups.reload();
        }}
      />
      <EditFieldsModal
        title={t('groups.editTitle')}
        okText={t('app.save')}
        values={editing && { name: editing.name, description: editing.description }}
        fields={[
          { name: 'name', label: t('groups.name'), required: true, max: 64 },
          { name: 'description', label: t('groups.description'), max: 1000, kind: 'textarea' },
        ]}
        onSave={async (values) => {
          const saved = await unwrap(
            api.PATCH('/api/v1/groups/{id}', { params: { path: { id: editing!.id } }, body: values }),
          );
          notify.success(t('app.saved', { name: saved.name }));
          groups.reload();
        }}
        onClose={() => setEditing(null)}
      />
      <GroupCreateModal
        open={creating}
        defaultProductId={productId}
        onClose={(created) => {
          setCreating(false);
          if (created) groups.reload();
        }}
      />
    </>
  );
}

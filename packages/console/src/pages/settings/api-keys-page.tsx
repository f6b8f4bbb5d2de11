// API keys (admin): list, create (secret shown once), revoke.
import { PlusOutlined } from '@ant-design/icons';
import { Button, Card, Form, Input, Popconfirm, Table, Tag } from 'antd';
import { useState } from 'react';
import { unwrap } from '../../api/api-client.ts';
import type { ApiKey, Role } from '../../api/types.ts';
import { usePagedList } from '../../api/use-paged-list.ts';
import { useApi } from '../../auth/session-context.tsx';
import { EmptyState } from '../../components/empty-state.tsx';
import { FormModal } from '../../components/form-modal.tsx';
import { PageHeader } from '../../components/page-header.tsx';
import { useSecretDialog } from '../../components/secret-notice.tsx';
import { useNotify } from '../../components/use-notify.ts';
import { useT } from '../../i18n/i18n-context.tsx';
import { RoleSelect } from './role-select.tsx';

export function ApiKeysPage() {
  const t = useT();
  const api = useApi();
  const notify = useNotify();
  const showSecret = useSecretDialog();
  const [creating, setCreating] = useState(false);
  const keys = usePagedList('api-keys', (cursor) =>
    unwrap(api.GET('/api/v1/api-keys', { params: { query: { limit: 100, ...(cursor && { cursor }) } } })),
  );

  async function create(values: { name: string; role: Role }) {
    const answer = await unwrap(api.POST('/api/v1/api-keys', { body: values }));
    keys.reload();
    showSecret(t('apiKeys.secretTitle'), t('apiKeys.secretOnce'), answer.secret);
  }

  async function revoke(id: number) {
    try {
      await unwrap(api.DELETE('/api/v1/api-keys/{id}', { params: { path: { id } } }));
      keys.reload();
    } catch (error) {
      notify.error(error);
    }
  }

  const createButton = (
    <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
      {t('apiKeys.create')}
    </Button>
  );
  return (
    <>
      <PageHeader title={t('apiKeys.title')} actions={createButton} />
      <Card>
        <Table<ApiKey>
          rowKey="id"
          loading={keys.loading}
          dataSource={keys.items}
          pagination={false}
          scroll={{ x: 640 }}
          locale={{ emptyText: keys.loading ? ' ' : <EmptyState text={t('apiKeys.empty')} /> }}
          columns={[
            { title: t('apiKeys.name'), dataIndex: 'name' },
            { title: t('apiKeys.prefix'), dataIndex: 'prefix', render: (p: string) => <code>{p}…</code> },
            { title: t('apiKeys.role'), dataIndex: 'role', render: (role: Role) => t(`app.role.${role}`) },
            {
              title: t('apiKeys.lastUsed'),
              dataIndex: 'lastUsedAt',
              responsive: ['md'],
              render: (at: string | null) => (at ? new Date(at).toLocaleString() : '–'),
            },
            {
              key: 'revoke',
              render: (_: unknown, key) =>
                key.revokedAt ? (
                  <Tag>{t('apiKeys.revoked')}</Tag>
                ) : (
                  <Popconfirm title={t('apiKeys.revokeConfirm')} onConfirm={() => revoke(key.id)}>
                    <Button danger size="small">
                      {t('apiKeys.revoke')}
                    </Button>
                  </Popconfirm>
                ),
            },
          ]}
        />
      </Card>
      <FormModal<{ name: string; role: Role }>
        title={t('apiKeys.create')}
        okText={t('app.create')}
        open={creating}
        onSubmit={create}
        onClose={() => setCreating(false)}
        initialValues={{ role: 'operator' }}
      >
        <Form.Item name="name" label={t('apiKeys.name')} rules={[{ required: true, max: 64 }]}>
          <Input />
        </Form.Item>
        <Form.Item name="role" label={t('apiKeys.role')}>
          <RoleSelect />
        </Form.Item>
      </FormModal>
    </>
  );
}

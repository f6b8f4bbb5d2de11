// Users (admin): list, add, change role, disable or enable.
import { PlusOutlined } from '@ant-design/icons';
import { Button, Card, Form, Input, Modal, Space, Table, Tag } from 'antd';
import { useState } from 'react';
import { unwrap } from '../../api/api-client.ts';
import type { Role, User } from '../../api/types.ts';
import { usePagedList } from '../../api/use-paged-list.ts';
import { useApi, useSession } from '../../auth/session-context.tsx';
import { EditFieldsModal } from '../../components/edit-fields-modal.tsx';
import { EmptyState } from '../../components/empty-state.tsx';
import { PageHeader } from '../../components/page-header.tsx';
import { useNotify } from '../../components/use-notify.ts';
import { useT } from '../../i18n/i18n-context.tsx';
import { RoleSelect } from './role-select.tsx';

interface UserInput {
  username: string;
  password: string;
  role: Role;
}

export function UsersPage() {
  const t = useT();
  const api = useApi();
  const { state } = useSession();
  const notify = useNotify();
  const [form] = Form.useForm<UserInput>();
  const [creating, setCreating] = useState(false);
  const [resetting, setResetting] = useState<User | null>(null);
  const users = usePagedList('users', (cursor) =>
    unwrap(api.GET('/api/v1/users', { params: { query: { limit: 100, ...(cursor && { cursor }) } } })),
  );
  const myId = state.status === 'signed-in' && state.me.kind === 'user' ? state.me.id : null;

  async function change(id: number, body: { role?: Role; disabled?: boolean }) {
    try {
      await unwrap(api.PATCH('/api/v1/users/{id}', { params: { path: { id } }, body }));
      users.reload();
    } catch (error) {
      notify.error(error);
    }
  }

  async function create(values: UserInput) {
    try {
      await unwrap(api.POST('/api/v1/users', { body: values }));
      setCreating(false);
      form.resetFields();
      users.reload();
    } catch (error) {
      notify.error(error);
    }
  }

  return (
    <>
      <PageHeader
        title={t('users.title')}
        actions={
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
            {t('users.create')}
          </Button>
        }
      />
      <Card>
        <Table<User>
          rowKey="id"
          loading={users.loading}
          dataSource={users.items}
          pagination={false}
          scroll={{ x: 560 }}
          locale={{ emptyText: users.loading ? ' ' : <EmptyState text={t('users.empty')} /> }}
          columns={[
            { title: t('users.username'), dataIndex: 'username' },
            {
              title: t('users.role'),
              dataIndex: 'role',
              render: (role: Role, user) =>
                user.id === myId ? (
                  t(`app.role.${role}`)
                ) : (
                  <RoleSelect value={role} onChange={(next) => change(user.id, { role: next })} />
                ),
            },
            {
              title: t('users.status'),
              dataIndex: 'disabled',
              render: (disabled: boolean) =>
                disabled ? (
                  <Tag color="red">{t('users.disabled')}</Tag>
                ) : (
                  <Tag color="green">{t('users.active')}</Tag>
                ),
            },
            {
              key: 'toggle',
              render: (_: unknown, user) =>
                user.id !== myId && (
                  <Space size={4} wrap>
                    <Button size="small" onClick={() => change(user.id, { disabled: !user.disabled })}>
                      {user.disabled ? t('users.enable') : t('users.disable')}
                    </Button>
                    <Button size="small" onClick={() => setResetting(user)}>
                      {t('users.resetPassword')}
                    </Button>
                  </Space>
                ),
            },
          ]}
        />
      </Card>
      <EditFieldsModal
        title={resetting ? `${t('users.resetPassword')}: ${resetting.username}` : ''}
        okText={t('app.save')}
        values={resetting && { password: '' }}
        fields={[
          {
            name: 'password',
            label: t('users.newPassword'),
            required: true,
            min: 10,
            max: 200,
            kind: 'password',
          },
        ]}
        onSave={async ({ password }) => {
          await unwrap(
            api.PATCH('/api/v1/users/{id}', { params: { path: { id: resetting!.id } }, body: { password } }),
          );
          notify.success(t('users.passwordReset', { name: resetting!.username }));
        }}
        onClose={() => setResetting(null)}
      />
      <Modal
        title={t('users.create')}
        open={creating}
        okText={t('app.create')}
        cancelText={t('app.cancel')}
        onOk={() => form.submit()}
        onCancel={() => setCreating(false)}
        destroyOnHidden
      >
        <Form form={form} layout="vertical" onFinish={create} initialValues={{ role: 'viewer' }}>
          <Form.Item name="username" label={t('users.username')} rules={[{ required: true, max: 64 }]}>
            <Input autoComplete="off" />
          </Form.Item>
          <Form.Item
            name="password"
            label={t('users.password')}
            rules={[{ required: true, min: 10, max: 200 }]}
          >
            <Input.Password autoComplete="new-password" />
          </Form.Item>
          <Form.Item name="role" label={t('users.role')}>
            <RoleSelect />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}

// End-user tokens (operators; docs/enduser-api.md): issue one for an owner's devices (the token
// is shown once), list them without the tokens, revoke.
import { PlusOutlined } from '@ant-design/icons';
import { Button, Card, Form, Input, InputNumber, Popconfirm, Table, Tag } from 'antd';
import { useState } from 'react';
import { unwrap } from '../../api/api-client.ts';
import type { EndUserToken } from '../../api/types.ts';
import { usePagedList } from '../../api/use-paged-list.ts';
import { useApi } from '../../auth/session-context.tsx';
import { DeviceSelect } from '../../components/device-select.tsx';
import { EmptyState } from '../../components/empty-state.tsx';
import { FormModal } from '../../components/form-modal.tsx';
import { PageHeader } from '../../components/page-header.tsx';
import { ProductSelect } from '../../components/product-select.tsx';
import { useSecretDialog } from '../../components/secret-notice.tsx';
import { useNotify } from '../../components/use-notify.ts';
import { useT } from '../../i18n/i18n-context.tsx';

interface TokenForm {
  productId?: number;
  deviceIds: number[];
  label?: string;
  ttlMinutes?: number | null;
}

export function EndUserTokensPage() {
  const t = useT();
  const api = useApi();
  const notify = useNotify();
  const showSecret = useSecretDialog();
  const [form] = Form.useForm<TokenForm>();
  const productId = Form.useWatch('productId', form);
  const [creating, setCreating] = useState(false);
  const tokens = usePagedList('enduser-tokens', (cursor) =>
    unwrap(
      api.GET('/api/v1/enduser-tokens', { params: { query: { limit: 100, ...(cursor && { cursor }) } } }),
    ),
  );

  async function create(values: TokenForm) {
    const answer = await unwrap(
      api.POST('/api/v1/enduser-tokens', {
        body: {
          deviceIds: values.deviceIds,
          ...(values.label?.trim() && { label: values.label.trim() }),
          ...(typeof values.ttlMinutes === 'number' && { ttlSeconds: values.ttlMinutes * 60 }),
        },
      }),
    );
    tokens.reload();
    showSecret(t('endUserTokens.secretTitle'), t('endUserTokens.secretOnce'), answer.token);
  }

  async function revoke(id: number) {
    try {
      await unwrap(api.DELETE('/api/v1/enduser-tokens/{id}', { params: { path: { id } } }));
      tokens.reload();
    } catch (error) {
      notify.error(error);
    }
  }

  const createButton = (
    <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
      {t('endUserTokens.create')}
    </Button>
  );
  return (
    <>
      <PageHeader title={t('endUserTokens.title')} actions={createButton} />
      <Card>
        <Table<EndUserToken>
          rowKey="id"
          loading={tokens.loading}
          dataSource={tokens.items}
          pagination={false}
          scroll={{ x: 640 }}
          locale={{ emptyText: tokens.loading ? ' ' : <EmptyState text={t('endUserTokens.empty')} /> }}
          columns={[
            { title: t('endUserTokens.label'), dataIndex: 'label', render: (l: string) => l || '–' },
            {
              title: t('endUserTokens.devices'),
              dataIndex: 'deviceIds',
              render: (ids: number[]) => ids.join(', '),
            },
            {
              title: t('endUserTokens.expires'),
              dataIndex: 'expiresAt',
              responsive: ['md'],
              render: (at: string) => new Date(at).toLocaleString(),
            },
            { title: t('endUserTokens.createdBy'), dataIndex: 'createdBy', responsive: ['lg'] },
            {
              key: 'state',
              render: (_: unknown, token) =>
                token.revokedAt ? (
                  <Tag>{t('endUserTokens.revoked')}</Tag>
                ) : !token.active ? (
                  <Tag>{t('endUserTokens.expired')}</Tag>
                ) : (
                  <Popconfirm title={t('endUserTokens.revokeConfirm')} onConfirm={() => revoke(token.id)}>
                    <Button danger size="small">
                      {t('endUserTokens.revoke')}
                    </Button>
                  </Popconfirm>
                ),
            },
          ]}
        />
      </Card>
      <FormModal<TokenForm>
        title={t('endUserTokens.create')}
        okText={t('app.create')}
        open={creating}
        onSubmit={create}
        onClose={() => setCreating(false)}
        form={form}
      >
        <Form.Item name="productId" label={t('endUserTokens.product')} rules={[{ required: true }]}>
          <ProductSelect />
        </Form.Item>
        <Form.Item
          name="deviceIds"
          label={t('endUserTokens.devices')}
          extra={t('endUserTokens.devices.help')}
          rules={[{ required: true, type: 'array', min: 1 }]}
        >
          <DeviceSelect productId={productId} />
        </Form.Item>
        <Form.Item name="label" label={t('endUserTokens.label')} rules={[{ max: 100 }]}>
          <Input />
        </Form.Item>
        <Form.Item name="ttlMinutes" label={t('endUserTokens.ttl')} extra={t('endUserTokens.ttl.help')}>
          <InputNumber min={1} max={7 * 24 * 60} addonAfter="min" style={{ width: '100%' }} />
        </Form.Item>
      </FormModal>
    </>
  );
}

// Webhooks (admin): subscriptions to plan and device-upgrade transitions; create (the HMAC secret
// is shown once), enable or disable, delete, and each one's delivery log.
import { PlusOutlined } from '@ant-design/icons';
import { Button, Card, Checkbox, Form, Input, Popconfirm, Space, Switch, Table, Tag } from 'antd';
import { useState } from 'react';
import { unwrap } from '../../api/api-client.ts';
import type { Webhook } from '../../api/types.ts';
import { usePagedList } from '../../api/use-paged-list.ts';
import { useApi } from '../../auth/session-context.tsx';
import { EmptyState } from '../../components/empty-state.tsx';
import { FormModal } from '../../components/form-modal.tsx';
import { PageHeader } from '../../components/page-header.tsx';
import { useSecretDialog } from '../../components/secret-notice.tsx';
import { useNotify } from '../../components/use-notify.ts';
import { useT } from '../../i18n/i18n-context.tsx';
import { WebhookDeliveriesDrawer } from './webhook-deliveries-drawer.tsx';

type EventType = Webhook['eventTypes'][number];
const eventTypes: readonly EventType[] = [
  'plan.transition',
  'device_upgrade.transition',
  'wave.started',
  'wave.completed',
  'wave.halted',
];
interface WebhookInput {
  url: string;
  eventTypes: EventType[];
  description?: string;
}

export function WebhooksPage() {
  const t = useT();
  const api = useApi();
  const notify = useNotify();
  const showSecret = useSecretDialog();
  const [creating, setCreating] = useState(false);
  const [viewing, setViewing] = useState<Webhook | null>(null);
  const hooks = usePagedList('webhooks', (cursor) =>
    unwrap(api.GET('/api/v1/webhooks', { params: { query: { limit: 100, ...(cursor && { cursor }) } } })),
  );

  async function create(values: WebhookInput) {
    const answer = await unwrap(api.POST('/api/v1/webhooks', { body: values }));
    hooks.reload();
    showSecret(t('webhooks.secretTitle'), t('webhooks.secretOnce'), answer.secret);
  }

  async function change(hook: Webhook, enabled: boolean) {
    try {
      await unwrap(
        api.PATCH('/api/v1/webhooks/{id}', { params: { path: { id: hook.id } }, body: { enabled } }),
      );
      hooks.reload();
    } catch (error) {
      notify.error(error);
    }
  }

  async function remove(hook: Webhook) {
    try {
      await unwrap(api.DELETE('/api/v1/webhooks/{id}', { params: { path: { id: hook.id } } }));
      hooks.reload();
    } catch (error) {
      notify.error(error);
    }
  }

  const createButton = (
    <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
      {t('webhooks.create')}
    </Button>
  );
  return (
    <>
      <PageHeader title={t('webhooks.title')} actions={createButton} />
      <Card>
        <Table<Webhook>
          rowKey="id"
          loading={hooks.loading}
          dataSource={hooks.items}
          pagination={false}
          scroll={{ x: 720 }}
          locale={{
            emptyText: hooks.loading ? ' ' : <EmptyState text={t('webhooks.empty')} action={createButton} />,
          }}
          columns={[
            { title: t('webhooks.url'), dataIndex: 'url', render: (url: string) => <code>{url}</code> },
            {
              title: t('webhooks.events'),
              dataIndex: 'eventTypes',
              render: (types: EventType[]) => types.map((e) => <Tag key={e}>{e}</Tag>),
            },
            { title: t('groups.description'), dataIndex: 'description', responsive: ['lg'] },
            {
              title: t('webhooks.enabled'),
              dataIndex: 'enabled',
              render: (enabled: boolean, hook) => (
                <Switch
                  checked={enabled}
                  aria-label={t('webhooks.enabled')}
                  onChange={(on) => void change(hook, on)}
                />
              ),
            },
            {
              title: t('app.actions'),
              key: 'actions',
              render: (_: unknown, hook) => (
                <Space size={4}>
                  <Button size="small" onClick={() => setViewing(hook)}>
                    {t('webhooks.deliveries')}
                  </Button>
                  <Popconfirm title={t('webhooks.deleteConfirm')} onConfirm={() => remove(hook)}>
                    <Button size="small" danger>
                      {t('webhooks.delete')}
                    </Button>
                  </Popconfirm>
                </Space>
              ),
            },
          ]}
        />
      </Card>
      <FormModal<WebhookInput>
        title={t('webhooks.create')}
        okText={t('app.create')}
        open={creating}
        onSubmit={create}
        onClose={() => setCreating(false)}
        initialValues={{ eventTypes: [...eventTypes] }}
      >
        <Form.Item
          name="url"
          label={t('webhooks.url')}
          extra={t('webhooks.url.help')}
          rules={[{ required: true, type: 'url', max: 2000 }]}
        >
          <Input placeholder="https://example.com/updraft" />
        </Form.Item>
        <Form.Item
          name="eventTypes"
          label={t('webhooks.events')}
          rules={[{ required: true, type: 'array', min: 1 }]}
        >
          <Checkbox.Group options={eventTypes.map((e) => ({ value: e, label: t(`webhooks.event.${e}`) }))} />
        </Form.Item>
        <Form.Item name="description" label={t('groups.description')} rules={[{ max: 500 }]}>
          <Input />
        </Form.Item>
      </FormModal>
      <WebhookDeliveriesDrawer webhook={viewing} onClose={() => setViewing(null)} />
    </>
  );
}

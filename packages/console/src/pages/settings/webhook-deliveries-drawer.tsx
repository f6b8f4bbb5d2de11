// A webhook's delivery log (GET /webhooks/:id/deliveries): status, attempts, last answer.
import { Button, Drawer, Table, Tag } from 'antd';
import { unwrap } from '../../api/api-client.ts';
import type { Webhook, WebhookDelivery } from '../../api/types.ts';
import { usePagedList } from '../../api/use-paged-list.ts';
import { useApi } from '../../auth/session-context.tsx';
import { EmptyState } from '../../components/empty-state.tsx';
import { useT } from '../../i18n/i18n-context.tsx';

const statusColor = { pending: 'processing', delivered: 'success', failed: 'error' } as const;

export function WebhookDeliveriesDrawer({ webhook, onClose }: { webhook: Webhook | null; onClose(): void }) {
  const t = useT();
  const api = useApi();
  const deliveries = usePagedList(`deliveries?${webhook?.id ?? ''}`, async (cursor) =>
    webhook === null
      ? { items: [], nextCursor: null }
      : unwrap(
          api.GET('/api/v1/webhooks/{id}/deliveries', {
            params: { path: { id: webhook.id }, query: { limit: 50, ...(cursor && { cursor }) } },
          }),
        ),
  );
  return (
    <Drawer open={webhook !== null} onClose={onClose} width={640} title={webhook?.url}>
      <Table<WebhookDelivery>
        rowKey="id"
        size="small"
        pagination={false}
        loading={deliveries.loading}
        dataSource={deliveries.items}
        locale={{ emptyText: deliveries.loading ? ' ' : <EmptyState text={t('webhooks.deliveriesEmpty')} /> }}
        columns={[
          { title: t('webhooks.event'), dataIndex: 'eventType', render: (e: string) => <code>{e}</code> },
          {
            title: t('plans.status'),
            dataIndex: 'status',
            render: (s: WebhookDelivery['status']) => (
              <Tag color={statusColor[s]}>{t(`webhooks.status.${s}`)}</Tag>
            ),
          },
          { title: t('upgrade.attempts'), dataIndex: 'attempts' },
          {
            title: t('webhooks.lastAnswer'),
            key: 'answer',
            render: (_: unknown, d) => d.lastError ?? d.lastStatusCode ?? '–',
          },
          {
            title: t('app.createdAt'),
            dataIndex: 'createdAt',
            render: (at: string) => new Date(at).toLocaleString(),
          },
        ]}
      />
      {deliveries.hasMore && (
        <Button onClick={deliveries.loadMore} style={{ marginTop: 16 }}>
          {t('app.loadMore')}
        </Button>
      )}
    </Drawer>
  );
}

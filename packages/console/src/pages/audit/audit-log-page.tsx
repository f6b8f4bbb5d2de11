// The audit log (admins, issue 18): every management change, newest first, with who, from which
// address, what and the outcome; filtered by actor, entity (and id) and time; a row opens the
// entity before and after the change where the server kept them; "Export CSV" downloads the
// filtered log (GET /audit-log/export, the session cookie authenticates the download).
import { DownloadOutlined } from '@ant-design/icons';
import { Button, Card, Col, Row, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { unwrap } from '../../api/api-client.ts';
import type { AuditEntry } from '../../api/types.ts';
import { usePagedList } from '../../api/use-paged-list.ts';
import { useApi } from '../../auth/session-context.tsx';
import { EmptyState } from '../../components/empty-state.tsx';
import { PageHeader } from '../../components/page-header.tsx';
import type { MessageKey } from '../../i18n/en.ts';
import { useT } from '../../i18n/i18n-context.tsx';
import { type AuditFilter, AuditFilters } from './audit-filters.tsx';

/** The entity as JSON, in a box that scrolls: focusable, so that a keyboard can scroll it too. */
function Json({ value, label }: { value: unknown; label: string }) {
  return (
    <section
      aria-label={label}
      // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region takes the keyboard's focus, so that it can be scrolled without a mouse (WCAG 2.1.1)
      tabIndex={0}
      style={{ maxHeight: 240, overflow: 'auto' }}
    >
      <pre style={{ margin: 0, fontSize: 12 }}>{JSON.stringify(value, null, 2)}</pre>
    </section>
  );
}

export function AuditLogPage() {
  const t = useT();
  const api = useApi();
  const [filter, setFilter] = useState<AuditFilter>({});
  const query = new URLSearchParams(filter as Record<string, string>).toString();
  const entries = usePagedList(`audit?${query}`, (cursor) =>
    unwrap(
      api.GET('/api/v1/audit-log', {
        params: { query: { ...filter, limit: 50, ...(cursor && { cursor }) } },
      }),
    ),
  );

  const exportButton = (
    <Button icon={<DownloadOutlined />} href={`/api/v1/audit-log/export${query ? `?${query}` : ''}`} download>
      {t('audit.export')}
    </Button>
  );
  return (
    <>
      <PageHeader title={t('audit.title')} actions={exportButton} />
      <Card>
        <AuditFilters onChange={setFilter} />
        <Table<AuditEntry>
          rowKey="id"
          size="small"
          loading={entries.loading}
          dataSource={entries.items}
          pagination={false}
          scroll={{ x: 720 }}
          locale={{ emptyText: entries.loading ? ' ' : <EmptyState text={t('audit.empty')} /> }}
          expandable={{
            rowExpandable: (entry) => entry.before != null || entry.after != null,
            expandedRowRender: (entry) => (
              <Row gutter={16}>
                <Col xs={24} md={12}>
                  <Typography.Text strong>{t('audit.before')}</Typography.Text>
                  {entry.before == null ? (
                    <div>–</div>
                  ) : (
                    <Json value={entry.before} label={t('audit.before')} />
                  )}
                </Col>
                <Col xs={24} md={12}>
                  <Typography.Text strong>{t('audit.after')}</Typography.Text>
                  {entry.after == null ? <div>–</div> : <Json value={entry.after} label={t('audit.after')} />}
                </Col>
              </Row>
            ),
          }}
          columns={[
            {
              title: t('audit.at'),
              dataIndex: 'at',
              render: (at: string) => new Date(at).toLocaleString(),
            },
            {
              title: t('audit.actor'),
              dataIndex: 'actor',
              render: (actor: string, entry) => (
                <span>
                  {actor} {entry.role && <Tag>{t(`app.role.${entry.role}` as MessageKey)}</Tag>}
                </span>
              ),
            },
            {
              title: t('audit.entity'),
              render: (_, e) => `${e.entity}${e.entityId ? ` ${e.entityId}` : ''}`,
            },
            { title: t('audit.action'), dataIndex: 'action', render: (a: string) => <code>{a}</code> },
            {
              title: t('audit.request'),
              responsive: ['lg'],
              render: (_, e) => (
                <code>
                  {e.method} {e.path}
                </code>
              ),
            },
            { title: t('audit.status'), dataIndex: 'status', responsive: ['md'] },
            { title: t('audit.address'), dataIndex: 'address', responsive: ['lg'] },
          ]}
        />
        {entries.hasMore && (
          <Button onClick={entries.loadMore} loading={entries.loading} style={{ marginTop: 16 }}>
            {t('app.loadMore')}
          </Button>
        )}
      </Card>
    </>
  );
}

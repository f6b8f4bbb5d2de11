// Products: search, list (cursor pages), and create for operators and admins.
import { PlusOutlined } from '@ant-design/icons';
import { Button, Card, Input, Table, Tag } from 'antd';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { unwrap } from '../../api/api-client.ts';
import type { Product } from '../../api/types.ts';
import { usePagedList } from '../../api/use-paged-list.ts';
import { useApi, useCan } from '../../auth/session-context.tsx';
import { EmptyState } from '../../components/empty-state.tsx';
import { PageHeader } from '../../components/page-header.tsx';
import { useT } from '../../i18n/i18n-context.tsx';
import { ProductCreateModal } from './product-create-modal.tsx';

export function ProductsPage() {
  const t = useT();
  const api = useApi();
  const canCreate = useCan('operator');
  const [q, setQ] = useState('');
  const [creating, setCreating] = useState(false);
  const products = usePagedList(`products?q=${q}`, (cursor) =>
    unwrap(
      api.GET('/api/v1/products', {
        params: { query: { limit: 50, ...(q && { q }), ...(cursor && { cursor }) } },
      }),
    ),
  );

  const createButton = canCreate && (
    <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
      {t('products.create')}
    </Button>
  );

  return (
    <>
      <PageHeader title={t('products.title')} actions={createButton} />
      <Card>
        <Input.Search
          allowClear
          placeholder={t('products.searchPlaceholder')}
          onSearch={(value) => setQ(value.trim())}
          style={{ maxWidth: 360, marginBottom: 16 }}
          enterButton={t('app.search')}
        />
        <Table<Product>
          rowKey="id"
          loading={products.loading}
          dataSource={products.items}
          pagination={false}
          scroll={{ x: 640 }}
          locale={{
            emptyText: products.loading ? (
              ' '
            ) : (
              <EmptyState
                text={q ? t('app.notFound') : canCreate ? t('products.empty') : t('products.emptyViewer')}
                action={!q && createButton}
              />
            ),
          }}
          columns={[
            {
              title: t('products.name'),
              dataIndex: 'name',
              render: (name: string, product) => <Link to={`/products/${product.id}`}>{name}</Link>,
            },
            {
              title: t('products.productKey'),
              dataIndex: 'productKey',
              render: (key: string) => <code>{key}</code>,
            },
            {
              title: t('products.nodeType'),
              dataIndex: 'nodeType',
              render: (type: Product['nodeType']) => t(`products.nodeType.${type}`),
            },
            {
              title: t('products.protocols'),
              dataIndex: 'protocols',
              render: (protocols: string[]) => protocols.map((p) => <Tag key={p}>{p}</Tag>),
            },
            { title: t('products.model'), dataIndex: 'model', responsive: ['md'] },
          ]}
        />
        {products.hasMore && (
          <Button onClick={products.loadMore} loading={products.loading} style={{ marginTop: 16 }}>
            {t('app.loadMore')}
          </Button>
        )}
      </Card>
      <ProductCreateModal
        open={creating}
        onClose={(created) => {
          setCreating(false);
          if (created) products.reload();
        }}
      />
    </>
  );
}

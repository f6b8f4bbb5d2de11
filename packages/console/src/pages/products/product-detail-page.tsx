// A product: its properties and its modules, with "add module" for operators and admins.
import { ArrowLeftOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, Card, Descriptions, Result, Skeleton, Table, Tag } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { unwrap } from '../../api/api-client.ts';
import { type ApiError, messageOf } from '../../api/api-error.ts';
import type { Product, ProductModule } from '../../api/types.ts';
import { useApi, useCan } from '../../auth/session-context.tsx';
import { EmptyState } from '../../components/empty-state.tsx';
import { PageHeader } from '../../components/page-header.tsx';
import { useNotify } from '../../components/use-notify.ts';
import { useT } from '../../i18n/i18n-context.tsx';
import { ModuleAddModal } from './module-add-modal.tsx';

export function ProductDetailPage() {
  const t = useT();
  const api = useApi();
  const notify = useNotify();
  const canChange = useCan('operator');
  const id = Number(useParams()['id']);
  const [product, setProduct] = useState<Product | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [modules, setModules] = useState<ProductModule[] | null>(null);
  const [adding, setAdding] = useState(false);

  const loadModules = useCallback(() => {
    unwrap(
      api.GET('/api/v1/products/{id}/modules', { params: { path: { id }, query: { limit: 500 } } }),
    ).then(
      (answer) => setModules(answer.items),
      (error) => notify.error(error),
    );
  }, [api, id, notify]);

  useEffect(() => {
    unwrap(api.GET('/api/v1/products/{id}', { params: { path: { id } } })).then(
      setProduct,
      (error: ApiError) => setFailure(messageOf(error)),
    );
    loadModules();
  }, [api, id, loadModules]);

  const back = (
    <Link to="/products">
      <ArrowLeftOutlined /> {t('product.back')}
    </Link>
  );
  if (failure) return <Result status="warning" title={failure} extra={back} />;
  if (!product) return <Skeleton active />;

  const addButton = canChange && (
    <Button icon={<PlusOutlined />} onClick={() => setAdding(true)}>
      {t('product.addModule')}
    </Button>
  );
  return (
    <>
      {back}
      <PageHeader title={product.name} />
      <Card style={{ marginBottom: 16 }}>
        <Descriptions column={{ xs: 1, md: 2 }} size="small">
          <Descriptions.Item label={t('products.productKey')}>
            <code>{product.productKey}</code>
          </Descriptions.Item>
          <Descriptions.Item label={t('products.nodeType')}>
            {t(`products.nodeType.${product.nodeType}`)}
          </Descriptions.Item>
          <Descriptions.Item label={t('products.protocols')}>
            {product.protocols.map((p) => (
              <Tag key={p}>{p}</Tag>
            ))}
          </Descriptions.Item>
          <Descriptions.Item label={t('products.signMethod')}>{product.signMethod}</Descriptions.Item>
          <Descriptions.Item label={t('products.manufacturer')}>
            {product.manufacturer || '–'}
          </Descriptions.Item>
          <Descriptions.Item label={t('products.model')}>{product.model || '–'}</Descriptions.Item>
          <Descriptions.Item label={t('products.description')}>
            {product.description || '–'}
          </Descriptions.Item>
        </Descriptions>
      </Card>
      <Card title={t('product.modules')} extra={addButton}>
        <Table<ProductModule>
          rowKey="id"
          loading={modules === null}
          dataSource={modules ?? []}
          pagination={false}
          scroll={{ x: 480 }}
          columns={[
            {
              title: t('product.moduleName'),
              dataIndex: 'name',
              render: (name: string) => <code>{name}</code>,
            },
            {
              title: t('product.moduleKind'),
              dataIndex: 'kind',
              render: (kind: ProductModule['kind']) => t(`product.moduleKind.${kind}`),
            },
            { title: t('products.description'), dataIndex: 'description', responsive: ['md'] },
          ]}
          footer={() => (modules?.length === 1 ? t('product.modulesEmpty') : null)}
          locale={{ emptyText: <EmptyState text={t('product.modulesEmpty')} /> }}
        />
      </Card>
      <ModuleAddModal
        productId={product.id}
        open={adding}
        onClose={(added) => {
          setAdding(false);
          if (added) loadModules();
        }}
      />
    </>
  );
}

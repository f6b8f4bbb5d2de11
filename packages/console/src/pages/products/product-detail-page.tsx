// A product: its properties and its modules, and its signed-firmware settings (signing-card.tsx);
// operators and admins edit or delete the product (refused while it has devices or firmware)
// and add, edit or remove modules.
import { ArrowLeftOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, Card, Descriptions, Result, Skeleton, Space, Table, Tag } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { unwrap } from '../../api/api-client.ts';
import { type ApiError, messageOf } from '../../api/api-error.ts';
import type { Product, ProductModule } from '../../api/types.ts';
import { useApi, useCan } from '../../auth/session-context.tsx';
import { DeleteButton } from '../../components/delete-button.tsx';
import { EditFieldsModal } from '../../components/edit-fields-modal.tsx';
import { EmptyState } from '../../components/empty-state.tsx';
import { PageHeader } from '../../components/page-header.tsx';
import { useNotify } from '../../components/use-notify.ts';
import { useT } from '../../i18n/i18n-context.tsx';
import { ModuleModal } from './module-modal.tsx';
import { SigningCard } from './signing-card.tsx';

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
  const [editing, setEditing] = useState<ProductModule | undefined>(undefined);
  const [editingProduct, setEditingProduct] = useState(false);
  const navigate = useNavigate();
  const path = { params: { path: { id } } };

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
      <PageHeader
        title={product.name}
        actions={
          canChange && (
            <Space wrap>
              <Button onClick={() => setEditingProduct(true)}>{t('app.edit')}</Button>
              <DeleteButton
                label={t('app.delete')}
                cancelText={t('app.no')}
                question={t('product.deleteQuestion', { name: product.name })}
                onDelete={async () => {
                  await unwrap(api.DELETE('/api/v1/products/{id}', path));
                  notify.success(t('app.deleted', { name: product.name }));
                  navigate('/products');
                }}
              />
            </Space>
          )
        }
      />
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
            {
              title: t('product.oneNetCodes'),
              key: 'codes',
              render: (_: unknown, m: ProductModule) =>
                m.manufacturerCode || m.modelCode ? (
                  <code>
                    {m.manufacturerCode || '–'} / {m.modelCode || '–'}
                  </code>
                ) : (
                  '–'
                ),
            },
            ...(canChange
              ? [
                  {
                    title: t('app.actions'),
                    key: 'actions',
                    render: (_: unknown, m: ProductModule) => (
                      <Space size={4} wrap>
                        <Button size="small" onClick={() => setEditing(m)}>
                          {t('product.edit')}
                        </Button>
                        {m.name !== 'default' && (
                          <DeleteButton
                            size="small"
                            label={t('app.delete')}
                            cancelText={t('app.no')}
                            question={t('module.deleteQuestion', { name: m.name })}
                            onDelete={async () => {
                              await unwrap(
                                api.DELETE('/api/v1/products/{id}/modules/{name}', {
                                  params: { path: { id, name: m.name } },
                                }),
                              );
                              notify.success(t('app.deleted', { name: m.name }));
                              loadModules();
                            }}
                          />
                        )}
                      </Space>
                    ),
                  },
                ]
              : []),
          ]}
          footer={() => (modules?.length === 1 ? t('product.modulesEmpty') : null)}
          locale={{ emptyText: <EmptyState text={t('product.modulesEmpty')} /> }}
        />
      </Card>
      <SigningCard productId={product.id} />
      <EditFieldsModal
        title={t('product.editTitle')}
        okText={t('app.save')}
        values={
          editingProduct
            ? {
                name: product.name,
                manufacturer: product.manufacturer,
                model: product.model,
                description: product.description,
              }
            : null
        }
        fields={[
          { name: 'name', label: t('products.name'), required: true, max: 100 },
          { name: 'manufacturer', label: t('products.manufacturer'), max: 100 },
          { name: 'model', label: t('products.model'), max: 100 },
          { name: 'description', label: t('products.description'), max: 1000, kind: 'textarea' },
        ]}
        onSave={async (values) => {
          const saved = await unwrap(api.PATCH('/api/v1/products/{id}', { ...path, body: values }));
          setProduct(saved);
          notify.success(t('app.saved', { name: saved.name }));
        }}
        onClose={() => setEditingProduct(false)}
      />
      <ModuleModal
        productId={product.id}
        open={adding || editing !== undefined}
        editing={editing}
        onClose={(changed) => {
          setAdding(false);
          setEditing(undefined);
          if (changed) loadModules();
        }}
      />
    </>
  );
}

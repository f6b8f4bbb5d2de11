// The create-product form (POST /products); the server adds the `default` module.
import { Form, Input, Select } from 'antd';
import { unwrap } from '../../api/api-client.ts';
import type { ProductInput } from '../../api/types.ts';
import { useApi } from '../../auth/session-context.tsx';
import { FormModal } from '../../components/form-modal.tsx';
import { useNotify } from '../../components/use-notify.ts';
import { useT } from '../../i18n/i18n-context.tsx';

export function ProductCreateModal({ open, onClose }: { open: boolean; onClose(created: boolean): void }) {
  const t = useT();
  const api = useApi();
  const notify = useNotify();

  async function submit(values: ProductInput) {
    const product = await unwrap(api.POST('/api/v1/products', { body: values }));
    notify.success(t('products.created', { name: product.name }));
  }

  return (
    <FormModal<ProductInput>
      title={t('products.create')}
      okText={t('app.create')}
      open={open}
      onSubmit={submit}
      onClose={onClose}
      initialValues={{ nodeType: 'direct', protocols: ['mqtt'], signMethod: 'sha256' }}
    >
      <Form.Item name="name" label={t('products.name')} rules={[{ required: true, max: 100 }]}>
        <Input autoFocus />
      </Form.Item>
      <Form.Item name="nodeType" label={t('products.nodeType')}>
        <Select
          options={(['direct', 'gateway', 'subdevice'] as const).map((v) => ({
            value: v,
            label: t(`products.nodeType.${v}`),
          }))}
        />
      </Form.Item>
      <Form.Item name="protocols" label={t('products.protocols')}>
        <Select
          mode="multiple"
          options={['mqtt', 'http', 'lwm2m', 'thingspanel-v1', 'thingspanel-v1-infrom', 'quectel'].map(
            (v) => ({
              value: v,
              label: v,
            }),
          )}
        />
      </Form.Item>
      <Form.Item name="manufacturer" label={t('products.manufacturer')} rules={[{ max: 100 }]}>
        <Input />
      </Form.Item>
      <Form.Item name="model" label={t('products.model')} rules={[{ max: 100 }]}>
        <Input />
      </Form.Item>
      <Form.Item name="signMethod" label={t('products.signMethod')}>
        <Select options={['sha256', 'md5'].map((v) => ({ value: v, label: v }))} />
      </Form.Item>
      <Form.Item name="description" label={t('products.description')} rules={[{ max: 1000 }]}>
        <Input.TextArea rows={2} />
      </Form.Item>
    </FormModal>
  );
}

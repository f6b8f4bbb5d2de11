// Adds a module (MCU, communication module) to a product.
import { Form, Input, Modal, Select } from 'antd';
import { useState } from 'react';
import { unwrap } from '../../api/api-client.ts';
import { useApi } from '../../auth/session-context.tsx';
import { useNotify } from '../../components/use-notify.ts';
import { useT } from '../../i18n/i18n-context.tsx';

interface ModuleInput {
  name: string;
  kind: 'firmware' | 'module' | 'mcu';
  description?: string;
}

export function ModuleAddModal(props: { productId: number; open: boolean; onClose(added: boolean): void }) {
  const t = useT();
  const api = useApi();
  const notify = useNotify();
  const [form] = Form.useForm<ModuleInput>();
  const [busy, setBusy] = useState(false);

  async function submit(values: ModuleInput) {
    setBusy(true);
    try {
      const added = await unwrap(
        api.POST('/api/v1/products/{id}/modules', {
          params: { path: { id: props.productId } },
          body: values,
        }),
      );
      notify.success(t('product.moduleAdded', { name: added.name }));
      form.resetFields();
      props.onClose(true);
    } catch (error) {
      notify.error(error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal
      title={t('product.addModule')}
      open={props.open}
      okText={t('app.create')}
      cancelText={t('app.cancel')}
      confirmLoading={busy}
      onOk={() => form.submit()}
      onCancel={() => props.onClose(false)}
      destroyOnHidden
    >
      <Form form={form} layout="vertical" onFinish={submit} initialValues={{ kind: 'mcu' }}>
        <Form.Item name="name" label={t('product.moduleName')} rules={[{ required: true, max: 32 }]}>
          <Input autoFocus />
        </Form.Item>
        <Form.Item name="kind" label={t('product.moduleKind')}>
          <Select
            options={(['mcu', 'module', 'firmware'] as const).map((v) => ({
              value: v,
              label: t(`product.moduleKind.${v}`),
            }))}
          />
        </Form.Item>
        <Form.Item name="description" label={t('products.description')} rules={[{ max: 1000 }]}>
          <Input.TextArea rows={2} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

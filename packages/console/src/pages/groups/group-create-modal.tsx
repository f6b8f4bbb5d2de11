// Creates a static group of one product's devices (POST /groups). Adding members comes next.
import { Form, Input, Modal } from 'antd';
import { useState } from 'react';
import { unwrap } from '../../api/api-client.ts';
import { useApi } from '../../auth/session-context.tsx';
import { ProductSelect } from '../../components/product-select.tsx';
import { useNotify } from '../../components/use-notify.ts';
import { useT } from '../../i18n/i18n-context.tsx';

interface GroupInput {
  productId: number;
  name: string;
  description?: string;
}

interface Props {
  open: boolean;
  defaultProductId?: number | undefined;
  onClose(created: boolean): void;
}

export function GroupCreateModal({ open, defaultProductId, onClose }: Props) {
  const t = useT();
  const api = useApi();
  const notify = useNotify();
  const [form] = Form.useForm<GroupInput>();
  const [busy, setBusy] = useState(false);

  async function submit(values: GroupInput) {
    setBusy(true);
    try {
      const group = await unwrap(api.POST('/api/v1/groups', { body: values }));
      notify.success(t('groups.created', { name: group.name }));
      form.resetFields();
      onClose(true);
    } catch (error) {
      notify.error(error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal
      title={t('groups.create')}
      open={open}
      okText={t('app.create')}
      cancelText={t('app.cancel')}
      confirmLoading={busy}
      onOk={() => form.submit()}
      onCancel={() => onClose(false)}
      destroyOnHidden
    >
      <Form form={form} layout="vertical" onFinish={submit} initialValues={{ productId: defaultProductId }}>
        <Form.Item name="productId" label={t('groups.product')} rules={[{ required: true }]}>
          <ProductSelect />
        </Form.Item>
        <Form.Item name="name" label={t('groups.name')} rules={[{ required: true, max: 64 }]}>
          <Input />
        </Form.Item>
        <Form.Item name="description" label={t('groups.description')} rules={[{ max: 1000 }]}>
          <Input.TextArea rows={2} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

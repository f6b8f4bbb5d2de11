// Registers one device (POST /products/:id/devices) and shows its secret, which is never shown again.
import { App, Form, Input, Modal, Select } from 'antd';
import { useState } from 'react';
import { unwrap } from '../../api/api-client.ts';
import { useApi } from '../../auth/session-context.tsx';
import { ProductSelect } from '../../components/product-select.tsx';
import { SecretNotice } from '../../components/secret-notice.tsx';
import { useNotify } from '../../components/use-notify.ts';
import { useT } from '../../i18n/i18n-context.tsx';

interface DeviceInput {
  productId: number;
  name: string;
  tags?: string[];
}

interface Props {
  open: boolean;
  defaultProductId?: number | undefined;
  onClose(created: boolean): void;
}

export function DeviceCreateModal({ open, defaultProductId, onClose }: Props) {
  const t = useT();
  const api = useApi();
  const notify = useNotify();
  const { modal } = App.useApp();
  const [form] = Form.useForm<DeviceInput>();
  const [busy, setBusy] = useState(false);

  async function submit({ productId, name, tags }: DeviceInput) {
    setBusy(true);
    try {
      const answer = await unwrap(
        api.POST('/api/v1/products/{id}/devices', {
          params: { path: { id: productId } },
          body: { name, ...(tags?.length && { tags }) },
        }),
      );
      form.resetFields();
      onClose(true);
      modal.success({
        title: t('devices.secretTitle'),
        width: 520,
        content: <SecretNotice warning={t('devices.secretOnce')} secret={answer.secret} />,
      });
    } catch (error) {
      notify.error(error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal
      title={t('devices.create')}
      open={open}
      okText={t('app.create')}
      cancelText={t('app.cancel')}
      confirmLoading={busy}
      onOk={() => form.submit()}
      onCancel={() => onClose(false)}
      destroyOnHidden
    >
      <Form form={form} layout="vertical" onFinish={submit} initialValues={{ productId: defaultProductId }}>
        <Form.Item name="productId" label={t('devices.product')} rules={[{ required: true }]}>
          <ProductSelect />
        </Form.Item>
        <Form.Item name="name" label={t('devices.name')} rules={[{ required: true, max: 64 }]}>
          <Input />
        </Form.Item>
        <Form.Item name="tags" label={t('devices.tags')}>
          <Select mode="tags" tokenSeparators={[',', ' ']} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

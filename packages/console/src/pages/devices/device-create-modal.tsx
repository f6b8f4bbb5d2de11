// Registers one device (POST /products/:id/devices) and shows its secret, which is never shown again.
import { App, Form, Input, Select } from 'antd';
import { unwrap } from '../../api/api-client.ts';
import { useApi } from '../../auth/session-context.tsx';
import { FormModal } from '../../components/form-modal.tsx';
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
  const _notify = useNotify();
  const { modal } = App.useApp();

  async function submit({ productId, name, tags }: DeviceInput) {
    const answer = await unwrap(
      api.POST('/api/v1/products/{id}/devices', {
        params: { path: { id: productId } },
        body: { name, ...(tags?.length && { tags }) },
      }),
    );
    modal.success({
      title: t('devices.secretTitle'),
      width: 520,
      content: <SecretNotice warning={t('devices.secretOnce')} secret={answer.secret} />,
    });
  }

  return (
    <FormModal<DeviceInput>
      title={t('devices.create')}
      okText={t('app.create')}
      open={open}
      onSubmit={submit}
      onClose={onClose}
      initialValues={{ productId: defaultProductId }}
    >
      <Form.Item name="productId" label={t('devices.product')} rules={[{ required: true }]}>
        <ProductSelect />
      </Form.Item>
      <Form.Item name="name" label={t('devices.name')} rules={[{ required: true, max: 64 }]}>
        <Input />
      </Form.Item>
      <Form.Item name="tags" label={t('devices.tags')}>
        <Select mode="tags" tokenSeparators={[',', ' ']} />
      </Form.Item>
    </FormModal>
  );
}

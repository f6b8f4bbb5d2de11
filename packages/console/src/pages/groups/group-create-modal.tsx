// Creates a static group of one product's devices (POST /groups). Adding members comes next.
import { Form, Input } from 'antd';
import { unwrap } from '../../api/api-client.ts';
import { useApi } from '../../auth/session-context.tsx';
import { FormModal } from '../../components/form-modal.tsx';
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

  async function submit(values: GroupInput) {
    const group = await unwrap(api.POST('/api/v1/groups', { body: values }));
    notify.success(t('groups.created', { name: group.name }));
  }

  return (
    <FormModal<GroupInput>
      title={t('groups.create')}
      okText={t('app.create')}
      open={open}
      onSubmit={submit}
      onClose={onClose}
      initialValues={{ productId: defaultProductId }}
    >
      <Form.Item name="productId" label={t('groups.product')} rules={[{ required: true }]}>
        <ProductSelect />
      </Form.Item>
      <Form.Item name="name" label={t('groups.name')} rules={[{ required: true, max: 64 }]}>
        <Input />
      </Form.Item>
      <Form.Item name="description" label={t('groups.description')} rules={[{ max: 1000 }]}>
        <Input.TextArea rows={2} />
      </Form.Item>
    </FormModal>
  );
}

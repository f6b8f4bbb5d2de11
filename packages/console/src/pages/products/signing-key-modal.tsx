// Registers a public key that signs the product's firmware (admins): a name and the Ed25519
// public key, raw in base64 or PEM (what `updraft sign keygen` prints). The private key stays
// with whoever signs.
import { Form, Input } from 'antd';
import { unwrap } from '../../api/api-client.ts';
import { useApi } from '../../auth/session-context.tsx';
import { FormModal } from '../../components/form-modal.tsx';
import { useNotify } from '../../components/use-notify.ts';
import { useT } from '../../i18n/i18n-context.tsx';

interface Values {
  name: string;
  publicKey: string;
}

export function SigningKeyModal({
  productId,
  open,
  onClose,
}: {
  productId: number;
  open: boolean;
  onClose(added: boolean): void;
}) {
  const t = useT();
  const api = useApi();
  const notify = useNotify();

  async function add(values: Values) {
    await unwrap(
      api.POST('/api/v1/products/{id}/signing-keys', {
        params: { path: { id: productId } },
        body: { name: values.name.trim(), publicKey: values.publicKey.trim() },
      }),
    );
    notify.success(t('signing.added'));
  }

  return (
    <FormModal<Values>
      title={t('signing.add')}
      okText={t('signing.add')}
      open={open}
      onSubmit={add}
      onClose={onClose}
    >
      <Form.Item name="name" label={t('signing.name')} rules={[{ required: true, max: 100 }]}>
        <Input placeholder="release 2026" />
      </Form.Item>
      <Form.Item
        name="publicKey"
        label={t('signing.publicKey')}
        extra={t('signing.publicKey.help')}
        rules={[{ required: true, max: 2000 }]}
      >
        <Input.TextArea rows={4} spellCheck={false} style={{ fontFamily: 'monospace' }} />
      </Form.Item>
    </FormModal>
  );
}

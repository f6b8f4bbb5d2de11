// Retires a signing key (admins, docs/signing.md "Rotating keys"): it signs nothing new, and its
// packages stay plannable until the cut-off given here (local time), or no longer when empty.
import { Form, Input, Modal, Typography } from 'antd';
import { useState } from 'react';
import { unwrap } from '../../api/api-client.ts';
import type { SigningKey } from '../../api/types.ts';
import { useApi } from '../../auth/session-context.tsx';
import { useNotify } from '../../components/use-notify.ts';
import { useT } from '../../i18n/i18n-context.tsx';

export function SigningRetireModal({
  signingKey,
  onClose,
}: {
  signingKey: SigningKey | null;
  onClose(retired: boolean): void;
}) {
  const t = useT();
  const api = useApi();
  const notify = useNotify();
  const [until, setUntil] = useState('');
  const [busy, setBusy] = useState(false);

  async function retire(key: SigningKey) {
    setBusy(true);
    try {
      const at = until ? new Date(until) : null;
      await unwrap(
        api.POST('/api/v1/products/{id}/signing-keys/{keyId}/retire', {
          params: { path: { id: key.productId, keyId: key.keyId } },
          body: { validUntil: at && !Number.isNaN(at.getTime()) ? at.toISOString() : null },
        }),
      );
      notify.success(t('signing.retired'));
      setUntil('');
      onClose(true);
    } catch (error) {
      notify.error(error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal
      title={t('signing.retire.title', { keyId: signingKey?.keyId ?? '' })}
      open={signingKey !== null}
      okText={t('signing.retire')}
      cancelText={t('app.cancel')}
      confirmLoading={busy}
      onOk={() => signingKey && void retire(signingKey)}
      onCancel={() => onClose(false)}
    >
      <Typography.Paragraph>{t('signing.retire.help')}</Typography.Paragraph>
      <Form layout="vertical">
        <Form.Item
          label={t('signing.retire.until')}
          htmlFor="retire-until"
          extra={t('signing.retire.untilHelp')}
        >
          <Input
            id="retire-until"
            type="datetime-local"
            value={until}
            onChange={(e) => setUntil(e.target.value)}
          />
        </Form.Item>
      </Form>
    </Modal>
  );
}

// A product's signed-firmware settings (docs/signing.md, issue 20): whether it requires signatures
// (admins switch it; uploads and plans are then refused without a valid one) and its signing keys
// with their state; admins add a key, retire one with a cut-off (signing-retire-modal.tsx) and
// revoke one (asked first: its packages can no longer be planned, and it cannot be undone).
import { PlusOutlined } from '@ant-design/icons';
import { Button, Card, Popconfirm, Space, Switch, Table, Tag, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { unwrap } from '../../api/api-client.ts';
import type { SigningKey } from '../../api/types.ts';
import { useApi, useCan } from '../../auth/session-context.tsx';
import { EmptyState } from '../../components/empty-state.tsx';
import { useNotify } from '../../components/use-notify.ts';
import { useT } from '../../i18n/i18n-context.tsx';
import { SigningKeyModal } from './signing-key-modal.tsx';
import { SigningRetireModal } from './signing-retire-modal.tsx';

const statusColor: Record<SigningKey['status'], string> = {
  active: 'success',
  retired: 'gold',
  revoked: 'error',
};

export function SigningCard({ productId }: { productId: number }) {
  const t = useT();
  const api = useApi();
  const notify = useNotify();
  const isAdmin = useCan('admin');
  const [keys, setKeys] = useState<SigningKey[] | null>(null);
  const [required, setRequired] = useState<boolean | null>(null);
  const [adding, setAdding] = useState(false);
  const [retiring, setRetiring] = useState<SigningKey | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const path = { params: { path: { id: productId } } };

  // biome-ignore lint/correctness/useExhaustiveDependencies: path follows productId
  const load = useCallback(() => {
    unwrap(api.GET('/api/v1/products/{id}/signing-keys', path)).then(setKeys, notify.error);
    unwrap(api.GET('/api/v1/products/{id}/signing', path)).then(
      (policy) => setRequired(policy.requireSignature),
      notify.error,
    );
  }, [api, productId, notify]);
  useEffect(load, [load]);

  async function setRequire(requireSignature: boolean) {
    setBusy('policy');
    try {
      const policy = await unwrap(
        api.PUT('/api/v1/products/{id}/signing', { ...path, body: { requireSignature } }),
      );
      setRequired(policy.requireSignature);
    } catch (error) {
      notify.error(error);
    } finally {
      setBusy(null);
    }
  }

  async function revoke(keyId: string) {
    setBusy(keyId);
    try {
      await unwrap(
        api.POST('/api/v1/products/{id}/signing-keys/{keyId}/revoke', {
          params: { path: { id: productId, keyId } },
        }),
      );
      notify.success(t('signing.revoked'));
      load();
    } catch (error) {
      notify.error(error);
    } finally {
      setBusy(null);
    }
  }

  return (
    <Card
      title={t('signing.title')}
      style={{ marginTop: 16 }}
      data-testid="signing-card"
      extra={
        isAdmin && (
          <Button icon={<PlusOutlined />} onClick={() => setAdding(true)}>
            {t('signing.add')}
          </Button>
        )
      }
    >
      <Space align="start" style={{ marginBottom: 16 }}>
        <Switch
          id="require-signature"
          aria-label={t('signing.require')}
          checked={required ?? false}
          loading={required === null || busy === 'policy'}
          disabled={!isAdmin}
          onChange={(checked) => void setRequire(checked)}
        />
        <div>
          <label htmlFor="require-signature">{t('signing.require')}</label>
          <div>
            <Typography.Text type="secondary">{t('signing.require.help')}</Typography.Text>
          </div>
        </div>
      </Space>
      <Table<SigningKey>
        rowKey="keyId"
        size="small"
        loading={keys === null}
        dataSource={keys ?? []}
        pagination={false}
        scroll={{ x: 560 }}
        locale={{ emptyText: <EmptyState text={t('signing.empty')} /> }}
        columns={[
          { title: t('signing.name'), dataIndex: 'name' },
          { title: t('signing.keyId'), dataIndex: 'keyId', render: (id: string) => <code>{id}</code> },
          {
            title: t('signing.status'),
            dataIndex: 'status',
            render: (status: SigningKey['status'], key) => (
              <>
                <Tag color={statusColor[status]}>{t(`signing.status.${status}`)}</Tag>
                {status === 'retired' && key.validUntil && (
                  <Typography.Text type="secondary">
                    {t('signing.validUntil', { at: new Date(key.validUntil).toLocaleString() })}
                  </Typography.Text>
                )}
              </>
            ),
          },
          { title: t('signing.createdBy'), dataIndex: 'createdBy', responsive: ['md'] },
          {
            title: t('app.createdAt'),
            dataIndex: 'createdAt',
            responsive: ['lg'],
            render: (at: string) => new Date(at).toLocaleString(),
          },
          ...(isAdmin
            ? [
                {
                  title: t('app.actions'),
                  key: 'actions',
                  render: (_: unknown, key: SigningKey) =>
                    key.status !== 'revoked' && (
                      <Space size={4}>
                        {key.status === 'active' && (
                          <Button size="small" onClick={() => setRetiring(key)}>
                            {t('signing.retire')}
                          </Button>
                        )}
                        <Popconfirm
                          title={t('signing.revoke.confirm', { keyId: key.keyId })}
                          okText={t('signing.revoke')}
                          okButtonProps={{ danger: true }}
                          cancelText={t('app.no')}
                          onConfirm={() => revoke(key.keyId)}
                        >
                          <Button size="small" danger loading={busy === key.keyId}>
                            {t('signing.revoke')}
                          </Button>
                        </Popconfirm>
                      </Space>
                    ),
                },
              ]
            : []),
        ]}
      />
      <SigningRetireModal
        signingKey={retiring}
        onClose={(retired) => {
          setRetiring(null);
          if (retired) load();
        }}
      />
      <SigningKeyModal
        productId={productId}
        open={adding}
        onClose={(added) => {
          setAdding(false);
          if (added) load();
        }}
      />
    </Card>
  );
}

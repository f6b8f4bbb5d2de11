// Asks for a delta package from an older full package of the same module to this one
// (POST /firmware/:id/deltas); the job runs in the background and the jobs card follows it.
import { Form, Radio, Typography } from 'antd';
import { unwrap } from '../../api/api-client.ts';
import type { FirmwarePackage } from '../../api/types.ts';
import { usePagedList } from '../../api/use-paged-list.ts';
import { useApi } from '../../auth/session-context.tsx';
import { FormModal } from '../../components/form-modal.tsx';
import { FormSelect } from '../../components/form-select.tsx';
import { useNotify } from '../../components/use-notify.ts';
import { useT } from '../../i18n/i18n-context.tsx';

interface DeltaInput {
  fromPackageId: number;
  profile: 'mcu' | 'linux';
  format: 'updraft' | 'vcdiff';
}

export function DeltaCreateModal({
  target,
  onClose,
}: {
  target: FirmwarePackage | null;
  onClose(requested: boolean): void;
}) {
  const t = useT();
  const api = useApi();
  const notify = useNotify();
  const sources = usePagedList(`delta-sources?${target?.id ?? ''}`, async () =>
    target === null
      ? { items: [], nextCursor: null }
      : unwrap(
          api.GET('/api/v1/firmware', {
            params: {
              query: { limit: 100, productId: target.productId, module: target.module, type: 'full' },
            },
          }),
        ),
  );

  async function submit(values: DeltaInput) {
    if (!target) return;
    await unwrap(
      api.POST('/api/v1/firmware/{id}/deltas', { params: { path: { id: target.id } }, body: values }),
    );
    notify.success(t('delta.requested'));
  }

  return (
    <FormModal<DeltaInput>
      title={target ? t('delta.title', { version: target.version }) : ''}
      okText={t('delta.generate')}
      open={target !== null}
      onSubmit={submit}
      onClose={onClose}
      initialValues={{ profile: 'mcu', format: 'updraft' }}
      intro={<Typography.Paragraph type="secondary">{t('delta.help')}</Typography.Paragraph>}
    >
      <Form.Item name="fromPackageId" label={t('delta.from')} rules={[{ required: true }]}>
        <FormSelect
          loading={sources.loading}
          options={sources.items
            .filter((p) => p.id !== target?.id && p.files.length === 1)
            .map((p) => ({ value: p.id, label: `${p.module} ${p.version}` }))}
          notFoundContent={t('delta.noSource')}
        />
      </Form.Item>
      <Form.Item name="profile" label={t('delta.profile')} extra={t('delta.profile.help')}>
        <Radio.Group
          options={[
            { value: 'mcu', label: 'MCU' },
            { value: 'linux', label: 'Linux' },
          ]}
        />
      </Form.Item>
      <Form.Item name="format" label={t('delta.format')} extra={t('delta.format.help')}>
        <Radio.Group
          options={[
            { value: 'updraft', label: 'Updraft' },
            { value: 'vcdiff', label: 'VCDIFF (RFC 3284)' },
          ]}
        />
      </Form.Item>
    </FormModal>
  );
}

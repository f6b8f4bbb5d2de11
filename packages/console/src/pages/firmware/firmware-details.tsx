// A firmware package's details under its row (release notes; every file with its size, SHA-256
// and MD5) and its edit and delete actions for operators (a package a plan uses is refused).
import { Button, Descriptions, Table, Typography } from 'antd';
import { useState } from 'react';
import { unwrap } from '../../api/api-client.ts';
import type { FirmwarePackage } from '../../api/types.ts';
import { useApi } from '../../auth/session-context.tsx';
import { DeleteButton } from '../../components/delete-button.tsx';
import { EditFieldsModal } from '../../components/edit-fields-modal.tsx';
import { useNotify } from '../../components/use-notify.ts';
import { useT } from '../../i18n/i18n-context.tsx';
import { formatBytes } from './format-bytes.ts';

export function FirmwareDetails({ firmware }: { firmware: FirmwarePackage }) {
  const t = useT();
  return (
    <Descriptions column={1} size="small" data-testid={`firmware-details-${firmware.id}`}>
      <Descriptions.Item label={t('firmware.releaseNotes')}>
        <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', marginBottom: 0 }}>
          {firmware.releaseNotes || '–'}
        </Typography.Paragraph>
      </Descriptions.Item>
      <Descriptions.Item label={t('firmware.hashes')}>
        <Table
          rowKey="position"
          size="small"
          pagination={false}
          dataSource={firmware.files}
          scroll={{ x: 560 }}
          columns={[
            { title: t('firmware.files'), dataIndex: 'name' },
            { title: t('firmware.size'), dataIndex: 'size', render: (size: number) => formatBytes(size) },
            { title: 'SHA-256', dataIndex: 'sha256', render: (hash: string) => <code>{hash}</code> },
            { title: 'MD5', dataIndex: 'md5', render: (hash: string) => <code>{hash}</code> },
          ]}
        />
      </Descriptions.Item>
    </Descriptions>
  );
}

export function FirmwareChangeButtons({
  firmware,
  onChanged,
}: {
  firmware: FirmwarePackage;
  onChanged(): void;
}) {
  const t = useT();
  const api = useApi();
  const notify = useNotify();
  const [editing, setEditing] = useState(false);
  const path = { params: { path: { id: firmware.id } } };
  return (
    <>
      <Button size="small" onClick={() => setEditing(true)}>
        {t('app.edit')}
      </Button>
      <DeleteButton
        size="small"
        label={t('app.delete')}
        cancelText={t('app.no')}
        question={t('firmware.deleteQuestion', { name: firmware.name })}
        onDelete={async () => {
          await unwrap(api.DELETE('/api/v1/firmware/{id}', path));
          notify.success(t('app.deleted', { name: firmware.name }));
          onChanged();
        }}
      />
      <EditFieldsModal
        title={t('firmware.editTitle')}
        okText={t('app.save')}
        values={
          editing
            ? { name: firmware.name, remark: firmware.remark, releaseNotes: firmware.releaseNotes }
            : null
        }
        fields={[
          { name: 'name', label: t('firmware.name'), required: true, max: 100 },
          { name: 'remark', label: t('firmware.remark'), max: 200 },
          { name: 'releaseNotes', label: t('firmware.releaseNotes'), max: 2000, kind: 'textarea' },
        ]}
        onSave={async (values) => {
          const saved = await unwrap(api.PATCH('/api/v1/firmware/{id}', { ...path, body: values }));
          notify.success(t('app.saved', { name: saved.name }));
          onChanged();
        }}
        onClose={() => setEditing(false)}
      />
    </>
  );
}

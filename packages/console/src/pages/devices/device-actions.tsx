// A device's actions for operators: edit its tags, give it a new secret (shown once; the old one
// stops working), delete it, each asked first where it cannot be undone.
import { App, Button, Form, Modal, Popconfirm, Select, Space } from 'antd';
import { useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { unwrap } from '../../api/api-client.ts';
import type { DeviceDetail } from '../../api/types.ts';
import { useApi } from '../../auth/session-context.tsx';
import { DeleteButton } from '../../components/delete-button.tsx';
import { SecretNotice } from '../../components/secret-notice.tsx';
import { useNotify } from '../../components/use-notify.ts';
import { useT } from '../../i18n/i18n-context.tsx';

interface Props {
  device: DeviceDetail;
  onChanged(): void;
}

export function DeviceActions({ device, onChanged }: Props) {
  const t = useT();
  const api = useApi();
  const notify = useNotify();
  const navigate = useNavigate();
  const { modal } = App.useApp();
  const [tagging, setTagging] = useState(false);
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm<{ tags: string[] }>();
  const path = { params: { path: { id: device.id } } };

  async function saveTags({ tags }: { tags: string[] }) {
    setBusy(true);
    try {
      await unwrap(api.PATCH('/api/v1/devices/{id}', { ...path, body: { tags } }));
      notify.success(t('device.tagsSaved', { name: device.name }));
      setTagging(false);
      onChanged();
    } catch (error) {
      notify.error(error);
    } finally {
      setBusy(false);
    }
  }

  async function rotate() {
    try {
      const answer = await unwrap(api.POST('/api/v1/devices/{id}/credentials', path));
      modal.success({
        title: t('device.rotated', { name: device.name }),
        width: 520,
        content: <SecretNotice warning={t('devices.secretOnce')} secret={answer.secret} />,
      });
    } catch (error) {
      notify.error(error);
    }
  }

  return (
    <Space wrap>
      <Button onClick={() => setTagging(true)}>{t('device.editTags')}</Button>
      <Popconfirm
        title={t('device.rotateQuestion', { name: device.name })}
        okText={t('device.rotate')}
        okButtonProps={{ danger: true }}
        cancelText={t('app.no')}
        onConfirm={() => rotate()}
      >
        <Button>{t('device.rotate')}</Button>
      </Popconfirm>
      <DeleteButton
        label={t('app.delete')}
        cancelText={t('app.no')}
        question={t('device.deleteQuestion', { name: device.name })}
        onDelete={async () => {
          await unwrap(api.DELETE('/api/v1/devices/{id}', path));
          notify.success(t('app.deleted', { name: device.name }));
          navigate('/devices');
        }}
      />
      <Modal
        title={t('device.editTags')}
        open={tagging}
        okText={t('app.save')}
        cancelText={t('app.cancel')}
        confirmLoading={busy}
        onOk={() => form.submit()}
        onCancel={() => setTagging(false)}
        destroyOnHidden
      >
        <Form form={form} layout="vertical" onFinish={saveTags} initialValues={{ tags: device.tags }}>
          <Form.Item name="tags" label={t('devices.tags')}>
            <Select mode="tags" open={false} />
          </Form.Item>
        </Form>
      </Modal>
    </Space>
  );
}

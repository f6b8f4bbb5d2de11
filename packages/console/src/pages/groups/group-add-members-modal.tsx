// Adds devices to a group (POST /groups/:id/members): picked by name, or every device of the
// group's product that matches a filter (version, tag, online, name); members already there are
// skipped by the server.
import { Form, Input, Modal, Radio, Select } from 'antd';
import { useState } from 'react';
import { unwrap } from '../../api/api-client.ts';
import type { Group } from '../../api/types.ts';
import { useApi } from '../../auth/session-context.tsx';
import { DeviceSelect } from '../../components/device-select.tsx';
import { useNotify } from '../../components/use-notify.ts';
import { useT } from '../../i18n/i18n-context.tsx';

interface MembersInput {
  by: 'list' | 'filter';
  deviceIds?: number[];
  q?: string;
  version?: string;
  tag?: string;
  online?: 'any' | 'yes' | 'no';
}

export function GroupAddMembersModal({ group, onClose }: { group: Group | null; onClose(): void }) {
  const t = useT();
  const api = useApi();
  const notify = useNotify();
  const [form] = Form.useForm<MembersInput>();
  const by = Form.useWatch('by', form);
  const [busy, setBusy] = useState(false);

  async function submit(values: MembersInput) {
    if (!group) return;
    const text = (value: string | undefined) => value?.trim() || undefined;
    const filter = {
      productId: group.productId,
      ...(text(values.q) && { q: text(values.q) }),
      ...(text(values.version) && { version: text(values.version) }),
      ...(text(values.tag) && { tag: text(values.tag) }),
      ...(values.online && values.online !== 'any' && { online: values.online === 'yes' }),
    };
    setBusy(true);
    try {
      const answer = await unwrap(
        api.POST('/api/v1/groups/{id}/members', {
          params: { path: { id: group.id } },
          body: values.by === 'list' ? { deviceIds: values.deviceIds ?? [] } : { filter },
        }),
      );
      notify.success(t('groups.added', { count: answer.added, name: group.name }));
      form.resetFields();
      onClose();
    } catch (error) {
      notify.error(error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal
      title={group ? t('groups.addTitle', { name: group.name }) : ''}
      open={group !== null}
      okText={t('groups.add')}
      cancelText={t('app.cancel')}
      confirmLoading={busy}
      onOk={() => form.submit()}
      onCancel={onClose}
      destroyOnHidden
    >
      <Form form={form} layout="vertical" onFinish={submit} initialValues={{ by: 'list', online: 'any' }}>
        <Form.Item name="by">
          <Radio.Group
            optionType="button"
            options={[
              { value: 'list', label: t('groups.byList') },
              { value: 'filter', label: t('groups.byFilter') },
            ]}
          />
        </Form.Item>
        {by !== 'filter' ? (
          <Form.Item
            name="deviceIds"
            label={t('planForm.deviceIds')}
            rules={[{ required: true, type: 'array', min: 1 }]}
          >
            <DeviceSelect productId={group?.productId} />
          </Form.Item>
        ) : (
          <>
            <Form.Item name="q" label={t('devices.name')} extra={t('groups.filterHelp')}>
              <Input />
            </Form.Item>
            <Form.Item name="version" label={t('devices.version')}>
              <Input />
            </Form.Item>
            <Form.Item name="tag" label={t('devices.tag')}>
              <Input />
            </Form.Item>
            <Form.Item name="online" label={t('devices.online')}>
              <Select
                options={[
                  { value: 'any', label: t('app.all') },
                  { value: 'yes', label: t('devices.status.online') },
                  { value: 'no', label: t('devices.status.offline') },
                ]}
              />
            </Form.Item>
          </>
        )}
      </Form>
    </Modal>
  );
}

// Adds devices to a group (POST /groups/:id/members): picked by name, or every device of the
// group's product that matches a filter (version, tag, online, name); members already there are
// skipped by the server. By filter, it says how many devices match before adding them.
import { Alert, Form, Input, Radio, Select } from 'antd';
import { useEffect, useState } from 'react';
import { unwrap } from '../../api/api-client.ts';
import type { Group } from '../../api/types.ts';
import { useApi } from '../../auth/session-context.tsx';
import { DeviceSelect } from '../../components/device-select.tsx';
import { FormModal } from '../../components/form-modal.tsx';
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

/** The device filter the form's fields make, within the group's product. */
function filterOf(group: Group, values: Partial<MembersInput>) {
  const text = (value: string | undefined) => value?.trim() || undefined;
  return {
    productId: group.productId,
    ...(text(values.q) && { q: text(values.q) }),
    ...(text(values.version) && { version: text(values.version) }),
    ...(text(values.tag) && { tag: text(values.tag) }),
    ...(values.online && values.online !== 'any' && { online: values.online === 'yes' }),
  };
}

export function GroupAddMembersModal({ group, onClose }: { group: Group | null; onClose(): void }) {
  const t = useT();
  const api = useApi();
  const notify = useNotify();
  const [form] = Form.useForm<MembersInput>();
  const by = Form.useWatch('by', form);

  const watched = Form.useWatch([], form);
  const [matching, setMatching] = useState<string | null>(null);
  const previewKey = group && by === 'filter' ? JSON.stringify(filterOf(group, watched ?? {})) : '';
  useEffect(() => {
    setMatching(null);
    if (!previewKey) return;
    let live = true;
    // A pause while typing, so that each keystroke does not ask the server.
    const timer = window.setTimeout(() => {
      unwrap(api.GET('/api/v1/devices/count', { params: { query: JSON.parse(previewKey) } })).then(
        (answer) => live && setMatching(answer.exact ? String(answer.count) : `${answer.count}+`),
        () => {},
      );
    }, 300);
    return () => {
      live = false;
      window.clearTimeout(timer);
    };
  }, [api, previewKey]);

  async function submit(values: MembersInput) {
    if (!group) return;
    const filter = filterOf(group, values);
    const answer = await unwrap(
      api.POST('/api/v1/groups/{id}/members', {
        params: { path: { id: group.id } },
        body: values.by === 'list' ? { deviceIds: values.deviceIds ?? [] } : { filter },
      }),
    );
    notify.success(t('groups.added', { count: answer.added, name: group.name }));
  }

  return (
    <FormModal<MembersInput>
      title={group ? t('groups.addTitle', { name: group.name }) : ''}
      okText={t('groups.add')}
      open={group !== null}
      onSubmit={submit}
      onClose={onClose}
      initialValues={{ by: 'list', online: 'any' }}
      form={form}
    >
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
          {matching !== null && (
            <Alert
              type="info"
              showIcon
              data-testid="group-filter-preview"
              message={t('groups.matching', { count: matching })}
              style={{ marginBottom: 16 }}
            />
          )}
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
    </FormModal>
  );
}

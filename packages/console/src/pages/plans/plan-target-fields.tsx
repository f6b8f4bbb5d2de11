// The plan form's "which devices" section: the target (all, a list, groups, versions), the white
// and black lists, and how many devices they come to now (counted by the server as it goes).
import { Alert, Form, Radio } from 'antd';
import { messageOf } from '../../api/api-error.ts';
import { DeviceSelect } from '../../components/device-select.tsx';
import { FormSelect } from '../../components/form-select.tsx';
import { GroupSelect } from '../../components/group-select.tsx';
import { useT } from '../../i18n/i18n-context.tsx';
import { type PlanFormValues, type TargetKind, toTargetsInput } from './plan-input.ts';
import { type TargetPreview, useTargetPreview } from './use-target-preview.ts';

const targetKinds: readonly TargetKind[] = ['all', 'devices', 'groups', 'versions'];

function TargetPreviewAlert({ preview }: { preview: TargetPreview }) {
  const t = useT();
  const [type, message] =
    preview.state === 'counted'
      ? [
          preview.targets.busy > 0 ? 'warning' : 'info',
          t('planForm.preview.count', { count: preview.targets.devices, busy: preview.targets.busy }) +
            (preview.targets.waves.length > 0
              ? ` ${t('planForm.preview.waves', { counts: preview.targets.waves.join(' / ') })}`
              : ''),
        ]
      : preview.state === 'failed'
        ? ['error', messageOf(preview.error)]
        : [
            'info',
            t(preview.state === 'counting' ? 'planForm.preview.counting' : 'planForm.preview.incomplete'),
          ];
  return (
    <Alert
      type={type as 'info' | 'warning' | 'error'}
      showIcon
      data-testid="target-preview"
      message={message}
      style={{ marginBottom: 16 }}
    />
  );
}

export function PlanTargetFields() {
  const t = useT();
  const form = Form.useFormInstance<PlanFormValues>();
  const productId = Form.useWatch('productId', form);
  const targetKind = Form.useWatch('targetKind', form);
  const values = Form.useWatch([], form) as Partial<PlanFormValues> | undefined;
  const preview = useTargetPreview(toTargetsInput(values ?? {}));

  return (
    <>
      <Form.Item name="targetKind" label={t('planForm.target')} extra={t('planForm.target.help')}>
        <Radio.Group
          optionType="button"
          options={targetKinds.map((kind) => ({ value: kind, label: t(`planForm.target.${kind}`) }))}
        />
      </Form.Item>
      {targetKind === 'devices' && (
        <Form.Item
          name="deviceIds"
          label={t('planForm.deviceIds')}
          extra={t('planForm.deviceIds.help')}
          rules={[{ required: true, type: 'array', min: 1 }]}
        >
          <DeviceSelect productId={productId} />
        </Form.Item>
      )}
      {targetKind === 'groups' && (
        <Form.Item
          name="groupIds"
          label={t('planForm.groupIds')}
          extra={t('planForm.groupIds.help')}
          rules={[{ required: true, type: 'array', min: 1 }]}
        >
          <GroupSelect productId={productId} />
        </Form.Item>
      )}
      {targetKind === 'versions' && (
        <Form.Item
          name="versions"
          label={t('planForm.versions')}
          extra={t('planForm.versions.help')}
          rules={[{ required: true, type: 'array', min: 1 }]}
        >
          <FormSelect mode="tags" open={false} tokenSeparators={[',', ' ']} />
        </Form.Item>
      )}
      <Form.Item name="whitelist" label={t('planForm.whitelist')} extra={t('planForm.whitelist.help')}>
        <DeviceSelect productId={productId} />
      </Form.Item>
      <Form.Item name="blacklist" label={t('planForm.blacklist')} extra={t('planForm.blacklist.help')}>
        <DeviceSelect productId={productId} />
      </Form.Item>
      <TargetPreviewAlert preview={preview} />
    </>
  );
}

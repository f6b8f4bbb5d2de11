// The plan editor's fields: every field of POST /plans (and PUT /plans/:id), each with one line
// of help, in three cards; the page around it (plan-create-page, plan-edit-page) adds the buttons.
import { Card, Form, type FormInstance, Input, Switch } from 'antd';
import type { ReactNode } from 'react';
import { useT } from '../../i18n/i18n-context.tsx';
import { FirmwareFields } from './plan-component-fields.tsx';
import type { PlanFormValues } from './plan-input.ts';
import { PlanRolloutFields } from './plan-rollout-fields.tsx';
import { PlanTargetFields } from './plan-target-fields.tsx';
import { PlanTextFields } from './plan-text-fields.tsx';
import { PlanTimingFields } from './plan-timing-fields.tsx';
import { PlanWaveFields } from './plan-wave-fields.tsx';

interface Props {
  form: FormInstance<PlanFormValues>;
  initialValues: Partial<PlanFormValues>;
  /** The buttons under the fields. */
  children: ReactNode;
}

export function PlanForm({ form, initialValues, children }: Props) {
  const t = useT();
  return (
    <Form form={form} layout="vertical" initialValues={initialValues} style={{ maxWidth: 880 }}>
      <Card title={t('planForm.section.what')} style={{ marginBottom: 16 }}>
        <Form.Item
          name="name"
          label={t('planForm.name')}
          extra={t('planForm.name.help')}
          rules={[{ required: true, max: 64, whitespace: true }]}
        >
          <Input />
        </Form.Item>
        <FirmwareFields />
        <Form.Item
          name="verification"
          label={t('planForm.verification')}
          extra={t('planForm.verification.help')}
          valuePropName="checked"
        >
          <Switch />
        </Form.Item>
      </Card>
      <Card title={t('planForm.section.devices')} style={{ marginBottom: 16 }}>
        <PlanTargetFields />
      </Card>
      <Card title={t('planForm.section.rollout')} style={{ marginBottom: 16 }}>
        <PlanRolloutFields />
        <PlanWaveFields />
        <PlanTimingFields />
        <PlanTextFields />
      </Card>
      {children}
    </Form>
  );
}

// The plan form's "how" sections: confirmation mode, start and deadline, device conditions, and
// the pace and safety limits. Left empty, a number takes the server's default.
import { Col, DatePicker, Form, InputNumber, Radio, Row } from 'antd';
import type { MessageKey } from '../../i18n/en.ts';
import { useT } from '../../i18n/i18n-context.tsx';
import type { PlanFormValues, StartMode } from './plan-input.ts';

const startModes: readonly StartMode[] = ['now', 'manual', 'at'];

interface NumberFieldProps {
  name: keyof PlanFormValues;
  label: MessageKey;
  help: MessageKey;
  min: number;
  max: number;
  unit?: string;
}

function NumberField({ name, label, help, min, max, unit }: NumberFieldProps) {
  const t = useT();
  return (
    <Col xs={24} md={12}>
      <Form.Item name={name} label={t(label)} extra={t(help)}>
        <InputNumber min={min} max={max} addonAfter={unit} style={{ width: '100%' }} />
      </Form.Item>
    </Col>
  );
}

export function PlanRolloutFields() {
  const t = useT();
  const startMode = Form.useWatch<StartMode>('startMode');
  return (
    <>
      <Form.Item name="mode" label={t('planForm.mode')} extra={t('planForm.mode.help')}>
        <Radio.Group
          options={[
            { value: 'silent', label: t('plans.mode.silent') },
            { value: 'manual', label: t('plans.mode.manual') },
          ]}
        />
      </Form.Item>
      <Form.Item name="startMode" label={t('planForm.start')} extra={t('planForm.start.help')}>
        <Radio.Group
          options={startModes.map((mode) => ({ value: mode, label: t(`planForm.start.${mode}`) }))}
        />
      </Form.Item>
      {startMode === 'at' && (
        <Form.Item name="startAt" label={t('planForm.startAt')} rules={[{ required: true }]}>
          <DatePicker showTime />
        </Form.Item>
      )}
      <Form.Item name="deadline" label={t('planForm.deadline')} extra={t('planForm.deadline.help')}>
        <DatePicker showTime />
      </Form.Item>
      <Row gutter={16}>
        <NumberField
          name="minSignal"
          label="planForm.minSignal"
          help="planForm.minSignal.help"
          min={-140}
          max={0}
          unit="dBm"
        />
        <NumberField
          name="minBattery"
          label="planForm.minBattery"
          help="planForm.minBattery.help"
          min={0}
          max={100}
          unit="%"
        />
        <NumberField
          name="minFreeSpace"
          label="planForm.minFreeSpace"
          help="planForm.minFreeSpace.help"
          min={0}
          max={2_147_483_647}
          unit="B"
        />
        <NumberField
          name="retryAttempts"
          label="planForm.retryAttempts"
          help="planForm.retryAttempts.help"
          min={0}
          max={10}
        />
        <NumberField
          name="retryIntervalSeconds"
          label="planForm.retryInterval"
          help="planForm.retryInterval.help"
          min={0}
          max={604_800}
          unit="s"
        />
        <NumberField
          name="concurrency"
          label="planForm.concurrency"
          help="planForm.concurrency.help"
          min={1}
          max={10_000}
        />
        <NumberField
          name="pushPeriodSeconds"
          label="planForm.pushPeriod"
          help="planForm.pushPeriod.help"
          min={60}
          max={86_400}
          unit="s"
        />
        <NumberField
          name="failurePercent"
          label="planForm.failurePercent"
          help="planForm.failurePercent.help"
          min={0}
          max={100}
          unit="%"
        />
        <NumberField
          name="failureMinFinished"
          label="planForm.failureMinFinished"
          help="planForm.failureMinFinished.help"
          min={1}
          max={1_000_000}
        />
        <NumberField
          name="upgradeTimeoutSeconds"
          label="planForm.upgradeTimeout"
          help="planForm.upgradeTimeout.help"
          min={60}
          max={604_800}
          unit="s"
        />
        <NumberField
          name="rejectionPeriodMinutes"
          label="planForm.rejectionPeriod"
          help="planForm.rejectionPeriod.help"
          min={10}
          max={1_440}
          unit="min"
        />
        <NumberField
          name="healthWindowMinutes"
          label="planForm.healthWindow"
          help="planForm.healthWindow.help"
          min={1}
          max={10_080}
          unit="min"
        />
      </Row>
    </>
  );
}

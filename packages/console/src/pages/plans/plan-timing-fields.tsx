// The plan form's time zone, daily push window and "push actively" switch (protocols.md §3.1).
// The start and end times picked above are read as wall-clock times of this zone (plan-input.ts).
import { Col, Form, InputNumber, Row, Select, Switch } from 'antd';
import { useT } from '../../i18n/i18n-context.tsx';

/** The zones the browser knows (IANA names); the server checks the name again. */
const zones: readonly string[] = (() => {
  try {
    return (Intl as unknown as { supportedValuesOf(key: string): string[] }).supportedValuesOf('timeZone');
  } catch {
    return ['UTC'];
  }
})();

export function PlanTimingFields() {
  const t = useT();
  const fromHour = Form.useWatch<number | null | undefined>('windowFromHour');
  const toHour = Form.useWatch<number | null | undefined>('windowToHour');
  const windowSet = typeof fromHour === 'number' || typeof toHour === 'number';
  return (
    <Row gutter={16}>
      <Col xs={24} md={12}>
        <Form.Item
          name="timeZone"
          label={t('planForm.timeZone')}
          extra={t('planForm.timeZone.help')}
          rules={[{ required: windowSet }]}
        >
          <Select showSearch allowClear options={zones.map((z) => ({ value: z, label: z }))} />
        </Form.Item>
      </Col>
      <Col xs={24} md={12}>
        <Form.Item
          name="pushActively"
          label={t('planForm.pushActively')}
          extra={t('planForm.pushActively.help')}
          valuePropName="checked"
        >
          <Switch />
        </Form.Item>
      </Col>
      <Col xs={12} md={6}>
        <Form.Item
          name="windowFromHour"
          label={t('planForm.windowFrom')}
          rules={[{ required: windowSet }]}
          extra={t('planForm.window.help')}
        >
          <InputNumber min={0} max={23} addonAfter=":00" style={{ width: '100%' }} />
        </Form.Item>
      </Col>
      <Col xs={12} md={6}>
        <Form.Item
          name="windowToHour"
          label={t('planForm.windowTo')}
          dependencies={['windowFromHour']}
          rules={[
            { required: windowSet },
            ({ getFieldValue }) => ({
              validator: (_, value) =>
                value !== undefined && value !== null && value === getFieldValue('windowFromHour')
                  ? Promise.reject(new Error(t('planForm.window.sameHour')))
                  : Promise.resolve(),
            }),
          ]}
        >
          <InputNumber min={0} max={23} addonAfter=":00" style={{ width: '100%' }} />
        </Form.Item>
      </Col>
    </Row>
  );
}

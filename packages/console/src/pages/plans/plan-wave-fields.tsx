// The plan form's waves (issue 18): a canary and the waves after it, in order, each by a
// percentage or a count of the targeted devices (the last takes the devices left), with its
// success and error thresholds, soak and manual gate. The count per wave is the target preview's.
import { Button, Card, Checkbox, Col, Form, InputNumber, Row, Select, Space } from 'antd';
import { useT } from '../../i18n/i18n-context.tsx';

export function PlanWaveFields() {
  const t = useT();
  return (
    <Form.List name="waves">
      {(fields, { add, remove }) => (
        <Space
          direction="vertical"
          style={{ width: '100%', marginBottom: 16 }}
          data-testid="plan-wave-fields"
        >
          {fields.map((field, index) => (
            <Card
              key={field.key}
              size="small"
              title={`${t('plan.wave')} ${index + 1}`}
              extra={<Button onClick={() => remove(field.name)}>{t('planForm.wave.remove')}</Button>}
            >
              <Row gutter={8}>
                {index < fields.length - 1 ? (
                  <>
                    <Col xs={12} md={4}>
                      <Form.Item
                        name={[field.name, 'sizeKind']}
                        initialValue="percent"
                        label={t('plan.wave.size')}
                      >
                        <Select
                          options={[
                            { value: 'percent', label: '%' },
                            { value: 'count', label: t('planForm.wave.count') },
                          ]}
                        />
                      </Form.Item>
                    </Col>
                    <Col xs={12} md={4}>
                      <Form.Item name={[field.name, 'size']} label=" " rules={[{ required: true }]}>
                        <InputNumber min={1} style={{ width: '100%' }} />
                      </Form.Item>
                    </Col>
                  </>
                ) : (
                  <Col xs={24} md={8}>
                    <Form.Item label={t('plan.wave.size')}>{t('plan.wave.rest')}</Form.Item>
                  </Col>
                )}
                <Col xs={12} md={4}>
                  <Form.Item name={[field.name, 'successPercent']} label={t('planForm.wave.success')}>
                    <InputNumber min={0} max={100} placeholder="100" addonAfter="%" />
                  </Form.Item>
                </Col>
                <Col xs={12} md={4}>
                  <Form.Item name={[field.name, 'errorPercent']} label={t('planForm.wave.error')}>
                    <InputNumber min={0} max={100} addonAfter="%" />
                  </Form.Item>
                </Col>
                <Col xs={12} md={4}>
                  <Form.Item name={[field.name, 'soakMinutes']} label={t('planForm.wave.soak')}>
                    <InputNumber min={0} addonAfter="min" />
                  </Form.Item>
                </Col>
                <Col xs={12} md={4}>
                  <Form.Item name={[field.name, 'manualGate']} valuePropName="checked" label=" ">
                    <Checkbox>{t('plan.wave.gate')}</Checkbox>
                  </Form.Item>
                </Col>
              </Row>
            </Card>
          ))}
          <Button onClick={() => add({})} data-testid="add-wave">
            {t('planForm.wave.add')}
          </Button>
        </Space>
      )}
    </Form.List>
  );
}

// The plan form's upgrade texts: what the device's owner reads about the upgrade, in Chinese and
// English. A manual plan needs both (the server says texts_required otherwise); a silent plan may
// carry them too. Devices get them with every offer, owners in the end-user API.
import { Col, Form, Input, Row } from 'antd';
import { useT } from '../../i18n/i18n-context.tsx';
import type { PlanFormValues } from './plan-input.ts';

/** The server's limit per text (packages/core plan-spec.ts, textMaxCodePoints). */
const maxText = 500;

export function PlanTextFields() {
  const t = useT();
  const mode = Form.useWatch<PlanFormValues['mode']>('mode');
  const rules = [{ required: mode === 'manual', whitespace: true, max: maxText }];
  return (
    <Row gutter={16}>
      <Col xs={24} md={12}>
        <Form.Item
          name="textsZh"
          label={t('planForm.textsZh')}
          extra={t('planForm.texts.help')}
          rules={rules}
        >
          <Input.TextArea rows={3} showCount maxLength={maxText} />
        </Form.Item>
      </Col>
      <Col xs={24} md={12}>
        <Form.Item name="textsEn" label={t('planForm.textsEn')} rules={rules}>
          <Input.TextArea rows={3} showCount maxLength={maxText} />
        </Form.Item>
      </Col>
    </Row>
  );
}

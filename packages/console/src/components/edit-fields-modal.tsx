// A small edit form for an entity's text fields (a product's name and description, a group's,
// a firmware package's name and remark, a user's new password): filled from `values`, saved by
// `onSave`, whose error the form shows and keeps the dialog open for.
import { Form, Input, Modal } from 'antd';
import { useEffect, useState } from 'react';
import { useNotify } from './use-notify.ts';

export interface EditField {
  name: string;
  label: string;
  required?: boolean;
  min?: number;
  max: number;
  kind?: 'text' | 'textarea' | 'password';
}

interface Props {
  title: string;
  okText: string;
  cancelText: string;
  fields: readonly EditField[];
  /** Null: the dialog is closed. */
  values: Record<string, string> | null;
  onSave(values: Record<string, string>): Promise<void>;
  onClose(): void;
}

export function EditFieldsModal({ title, okText, cancelText, fields, values, onSave, onClose }: Props) {
  const notify = useNotify();
  const [form] = Form.useForm<Record<string, string>>();
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (values) form.setFieldsValue(values);
  }, [form, values]);

  async function submit(next: Record<string, string>) {
    setBusy(true);
    try {
      await onSave(next);
      onClose();
    } catch (error) {
      notify.error(error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal
      title={title}
      open={values !== null}
      okText={okText}
      cancelText={cancelText}
      confirmLoading={busy}
      onOk={() => form.submit()}
      onCancel={onClose}
      destroyOnHidden
    >
      <Form form={form} layout="vertical" onFinish={submit} initialValues={values ?? {}} preserve={false}>
        {fields.map((field, i) => (
          <Form.Item
            key={field.name}
            name={field.name}
            label={field.label}
            rules={[
              { required: field.required ?? false, max: field.max, ...(field.min && { min: field.min }) },
            ]}
          >
            {field.kind === 'textarea' ? (
              <Input.TextArea rows={3} />
            ) : field.kind === 'password' ? (
              <Input.Password autoComplete="new-password" autoFocus={i === 0} />
            ) : (
              <Input autoFocus={i === 0} />
            )}
          </Form.Item>
        ))}
      </Form>
    </Modal>
  );
}

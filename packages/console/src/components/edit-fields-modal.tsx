// A small edit form for an entity's text fields (a product's name and description, a group's,
// a firmware package's name and remark, a user's new password): filled from `values`, saved by
// `onSave`, whose error the form shows and keeps the dialog open for (FormModal).
import { Form, Input } from 'antd';
import { useLayoutEffect, useRef } from 'react';
import { FormModal } from './form-modal.tsx';

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
  fields: readonly EditField[];
  /** Null: the dialog is closed. */
  values: Record<string, string> | null;
  onSave(values: Record<string, string>): Promise<void>;
  onClose(): void;
}

export function EditFieldsModal({ title, okText, fields, values, onSave, onClose }: Props) {
  const [form] = Form.useForm<Record<string, string>>();
  // Filled once per opening, before the dialog is painted. Filling on every new `values` (the
  // page builds it anew each render) or after paint overwrote what the user had begun to type:
  // a browser test on a loaded machine saved a group's old description that way.
  const filled = useRef(false);
  const open = values !== null;
  useLayoutEffect(() => {
    if (open && !filled.current && values) form.setFieldsValue(values);
    filled.current = open;
  }, [form, open, values]);

  return (
    <FormModal<Record<string, string>>
      title={title}
      okText={okText}
      open={open}
      onSubmit={onSave}
      onClose={() => onClose()}
      initialValues={values ?? {}}
      preserve={false}
      form={form}
    >
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
    </FormModal>
  );
}

// A dialog around one form (create a product, a group, a signing key, an API key…): OK submits
// the form and spins while `onSubmit` runs; once it succeeds the form is cleared and the dialog
// closes with onClose(true), an error is shown and keeps the dialog open. Cancel: onClose(false).
import { Form, type FormInstance, Modal } from 'antd';
import { type ReactNode, useState } from 'react';
import { useT } from '../i18n/i18n-context.tsx';
import { useNotify } from './use-notify.ts';

interface Props<T> {
  title: string;
  okText: string;
  open: boolean;
  onSubmit(values: T): Promise<void>;
  onClose(done: boolean): void;
  initialValues?: Partial<T>;
  /** false: a field's value goes when the field is removed (antd's Form `preserve`). */
  preserve?: boolean;
  /** Shown above the form. */
  intro?: ReactNode;
  /** The form's instance, where the page reads its fields (Form.useWatch); one of its own otherwise. */
  form?: FormInstance<T>;
  children: ReactNode;
}

export function FormModal<T extends object>({
  title,
  okText,
  open,
  onSubmit,
  onClose,
  initialValues,
  preserve,
  intro,
  form: given,
  children,
}: Props<T>) {
  const t = useT();
  const notify = useNotify();
  const [form] = Form.useForm<T>(given);
  const [busy, setBusy] = useState(false);

  async function submit(values: T) {
    setBusy(true);
    try {
      await onSubmit(values);
      form.resetFields();
      onClose(true);
    } catch (error) {
      notify.error(error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal
      title={title}
      open={open}
      okText={okText}
      cancelText={t('app.cancel')}
      confirmLoading={busy}
      onOk={() => form.submit()}
      onCancel={() => onClose(false)}
      destroyOnHidden
    >
      {intro}
      <Form
        form={form}
        layout="vertical"
        onFinish={(values) => void submit(values)}
        initialValues={initialValues}
        {...(preserve !== undefined && { preserve })}
      >
        {children}
      </Form>
    </Modal>
  );
}

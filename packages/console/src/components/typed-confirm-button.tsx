// A button for what cannot be undone (cancel a plan, delete something): it opens a dialog that
// names what happens and asks to type a word (the thing's name) before the action is enabled.
import { Button, Input, Modal, Typography } from 'antd';
import { type ReactNode, useId, useState } from 'react';
import { useT } from '../i18n/i18n-context.tsx';

interface Props {
  /** What the button says, and the dialog's OK button. */
  label: string;
  /** What happens, in a sentence. */
  question: string;
  /** The text to type (e.g. the name of what goes). */
  text: string;
  onConfirm(): Promise<void> | void;
  loading?: boolean;
  size?: 'small' | 'middle';
  icon?: ReactNode;
}

export function TypedConfirmButton({ label, question, text, onConfirm, loading, size, icon }: Props) {
  const t = useT();
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState('');
  const inputId = useId();
  const close = () => {
    setOpen(false);
    setTyped('');
  };
  return (
    <>
      <Button danger size={size} icon={icon} loading={loading} onClick={() => setOpen(true)}>
        {label}
      </Button>
      <Modal
        open={open}
        title={label}
        okText={label}
        cancelText={t('app.cancel')}
        okButtonProps={{ danger: true, disabled: typed.trim() !== text }}
        onCancel={close}
        onOk={async () => {
          await onConfirm();
          close();
        }}
        destroyOnHidden
      >
        <Typography.Paragraph>{question}</Typography.Paragraph>
        <label htmlFor={inputId}>{t('confirm.typeToConfirm', { text })}</label>
        <Input id={inputId} value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" />
      </Modal>
    </>
  );
}

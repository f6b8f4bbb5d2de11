// Delete after a question that says what goes (and what the server will refuse, e.g. a product
// that still has devices: the refusal is shown as the server words it).
import { DeleteOutlined } from '@ant-design/icons';
import { Button, Popconfirm } from 'antd';
import { useState } from 'react';
import { useNotify } from './use-notify.ts';

interface Props {
  label: string;
  question: string;
  cancelText: string;
  size?: 'small' | 'middle';
  onDelete(): Promise<void>;
}

export function DeleteButton({ label, question, cancelText, size = 'middle', onDelete }: Props) {
  const notify = useNotify();
  const [busy, setBusy] = useState(false);
  async function run() {
    setBusy(true);
    try {
      await onDelete();
    } catch (error) {
      notify.error(error);
    } finally {
      setBusy(false);
    }
  }
  return (
    <Popconfirm
      title={question}
      okText={label}
      okButtonProps={{ danger: true }}
      cancelText={cancelText}
      onConfirm={() => run()}
    >
      <Button danger size={size} icon={<DeleteOutlined />} loading={busy}>
        {label}
      </Button>
    </Popconfirm>
  );
}

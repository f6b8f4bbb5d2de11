// Imports devices from CSV (a file or pasted text) into one product, then shows what was created
// (with each secret, shown this once and downloadable as CSV) and every refused line with its
// reason.
import { UploadOutlined } from '@ant-design/icons';
import { Alert, Button, Form, Input, Modal, Table, Upload } from 'antd';
import { useState } from 'react';
import { type ImportResult, importDevices } from '../../api/import-devices.ts';
import { useSession } from '../../auth/session-context.tsx';
import { ProductSelect } from '../../components/product-select.tsx';
import { useNotify } from '../../components/use-notify.ts';
import { useT } from '../../i18n/i18n-context.tsx';

const example = 'name,tags,version\nmeter-0101,north;pilot,1.0.0\nmeter-0102,,1.0.0\n';

function secretsCsv(result: ImportResult): string {
  return `name,secret\n${result.created.map((d) => `${d.name},${d.secret}`).join('\n')}\n`;
}

export function DeviceImportModal({ open, onClose }: { open: boolean; onClose(imported: boolean): void }) {
  const t = useT();
  const { csrfToken, expire } = useSession();
  const notify = useNotify();
  const [form] = Form.useForm<{ productId: number; csv: string }>();
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<ImportResult | null>(null);

  async function submit({ productId, csv }: { productId: number; csv: string }) {
    setBusy(true);
    try {
      setResult(await importDevices(productId, csv, csrfToken()));
    } catch (error) {
      if ((error as { status?: number }).status === 401) expire();
      notify.error(error);
    } finally {
      setBusy(false);
    }
  }

  function close() {
    const imported = (result?.created.length ?? 0) > 0;
    setResult(null);
    form.resetFields();
    onClose(imported);
  }

  return (
    <Modal
      title={t('import.title')}
      open={open}
      width={640}
      okText={result ? t('import.done') : t('import.submit')}
      cancelText={t('app.cancel')}
      confirmLoading={busy}
      onOk={() => (result ? close() : form.submit())}
      onCancel={close}
      destroyOnHidden
    >
      {!result && (
        <Form form={form} layout="vertical" onFinish={submit}>
          <Form.Item name="productId" label={t('devices.product')} rules={[{ required: true }]}>
            <ProductSelect />
          </Form.Item>
          <Form.Item
            name="csv"
            label={t('import.csv')}
            extra={t('import.csv.help')}
            rules={[{ required: true }]}
          >
            <Input.TextArea rows={6} placeholder={example} style={{ fontFamily: 'monospace' }} />
          </Form.Item>
          <Upload
            accept=".csv,text/csv"
            showUploadList={false}
            beforeUpload={(file) => {
              void file.text().then((csv) => form.setFieldsValue({ csv }));
              return false;
            }}
          >
            <Button icon={<UploadOutlined />}>{t('import.chooseFile')}</Button>
          </Upload>
        </Form>
      )}
      {result && (
        <>
          <Alert
            type={result.summary.failed > 0 || result.summary.error ? 'warning' : 'success'}
            showIcon
            message={t('import.summary', { created: result.summary.created, failed: result.summary.failed })}
            description={result.summary.error?.message}
            style={{ marginBottom: 12 }}
          />
          {result.created.length > 0 && (
            <>
              <Alert type="warning" showIcon message={t('import.secretsOnce')} style={{ marginBottom: 12 }} />
              <Button
                href={`data:text/csv;charset=utf-8,${encodeURIComponent(secretsCsv(result))}`}
                download="device-secrets.csv"
                style={{ marginBottom: 12 }}
              >
                {t('import.downloadSecrets')}
              </Button>
            </>
          )}
          {result.refused.length > 0 && (
            <Table
              rowKey="line"
              size="small"
              pagination={false}
              dataSource={result.refused}
              columns={[
                { title: t('import.line'), dataIndex: 'line' },
                { title: t('import.reason'), key: 'reason', render: (_: unknown, row) => row.error.message },
              ]}
            />
          )}
        </>
      )}
    </Modal>
  );
}

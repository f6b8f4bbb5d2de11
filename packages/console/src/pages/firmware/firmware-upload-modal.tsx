// Uploads a firmware package of 1 to 5 files with a progress bar. The package rules are checked
// here first so a wrong file is refused before its bytes are sent.
import { UploadOutlined } from '@ant-design/icons';
import { Alert, Button, Form, Input, Modal, Progress, Radio, Upload, type UploadFile } from 'antd';
import { useEffect, useState } from 'react';
import { unwrap } from '../../api/api-client.ts';
import { ApiError } from '../../api/api-error.ts';
import {
  checkFirmwareFiles,
  firmwareExtensions,
  firmwareMaxFiles,
  firmwareVersionPattern,
} from '../../api/firmware-rules.ts';
import { uploadFirmware } from '../../api/upload-firmware.ts';
import { useApi, useSession } from '../../auth/session-context.tsx';
import { FormSelect } from '../../components/form-select.tsx';
import { ProductSelect } from '../../components/product-select.tsx';
import { useNotify } from '../../components/use-notify.ts';
import { useT } from '../../i18n/i18n-context.tsx';

interface UploadInput {
  productId: number;
  module: string;
  name?: string;
  version: string;
  type: 'full' | 'delta';
  sourceVersion?: string;
  releaseNotes?: string;
  remark?: string;
}

interface Props {
  open: boolean;
  defaultProductId?: number | undefined;
  onClose(uploaded: boolean): void;
}

export function FirmwareUploadModal({ open, defaultProductId, onClose }: Props) {
  const t = useT();
  const api = useApi();
  const { csrfToken, expire } = useSession();
  const notify = useNotify();
  const [form] = Form.useForm<UploadInput>();
  const productId = Form.useWatch('productId', form);
  const type = Form.useWatch('type', form);
  const [modules, setModules] = useState<string[]>(['default']);
  const [files, setFiles] = useState<UploadFile[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  const [progress, setProgress] = useState<number | null>(null);

  useEffect(() => {
    if (!productId) return;
    unwrap(
      api.GET('/api/v1/products/{id}/modules', {
        params: { path: { id: productId }, query: { limit: 500 } },
      }),
    ).then(
      (answer) => setModules(answer.items.map((m) => m.name)),
      (error) => notify.error(error),
    );
  }, [api, productId, notify]);

  function chosen(): File[] {
    return files.flatMap((f) => (f.originFileObj ? [f.originFileObj] : []));
  }

  function checkFiles(list: readonly { name: string; size: number }[]): boolean {
    const violation = checkFirmwareFiles(list);
    setProblem(violation ? t(violation.key, violation.vars) : null);
    return violation === null;
  }

  async function submit(values: UploadInput) {
    const selected = chosen();
    if (!checkFiles(selected)) return;
    setProgress(0);
    try {
      const uploaded = await uploadFirmware({ ...values, files: selected }, csrfToken(), setProgress);
      notify.success(t('firmware.uploaded', { version: uploaded.version }));
      form.resetFields();
      setFiles([]);
      onClose(true);
    } catch (error) {
      notify.error(error);
      if (error instanceof ApiError && error.status === 401) expire();
    } finally {
      setProgress(null);
    }
  }

  const busy = progress !== null;
  return (
    <Modal
      title={t('firmware.upload')}
      open={open}
      okText={t('firmware.upload')}
      cancelText={t('app.cancel')}
      confirmLoading={busy}
      onOk={() => form.submit()}
      onCancel={() => !busy && onClose(false)}
      destroyOnHidden
    >
      <Form
        form={form}
        layout="vertical"
        onFinish={submit}
        initialValues={{ productId: defaultProductId, module: 'default', type: 'full' }}
      >
        <Form.Item name="productId" label={t('firmware.product')} rules={[{ required: true }]}>
          <ProductSelect />
        </Form.Item>
        <Form.Item name="module" label={t('firmware.module')} rules={[{ required: true }]}>
          <FormSelect options={modules.map((m) => ({ value: m, label: m }))} />
        </Form.Item>
        <Form.Item
          name="version"
          label={t('firmware.version')}
          rules={[
            { required: true, pattern: firmwareVersionPattern, message: t('firmware.invalid.version') },
          ]}
        >
          <Input placeholder="1.2.0" />
        </Form.Item>
        <Form.Item
          name="name"
          label={t('firmware.name')}
          extra={t('firmware.nameHint')}
          rules={[{ max: 100, whitespace: true }]}
        >
          <Input />
        </Form.Item>
        <Form.Item name="type" label={t('firmware.type')}>
          <Radio.Group
            options={[
              { value: 'full', label: t('firmware.type.full') },
              { value: 'delta', label: t('firmware.type.delta') },
            ]}
          />
        </Form.Item>
        {type === 'delta' && (
          <Form.Item
            name="sourceVersion"
            label={t('firmware.sourceVersion')}
            rules={[
              { required: true, message: t('firmware.invalid.sourceVersion') },
              { pattern: firmwareVersionPattern, message: t('firmware.invalid.version') },
            ]}
          >
            <Input placeholder="1.1.0" />
          </Form.Item>
        )}
        <Form.Item name="releaseNotes" label={t('firmware.releaseNotes')} rules={[{ max: 2000 }]}>
          <Input.TextArea rows={2} />
        </Form.Item>
        <Form.Item name="remark" label={t('firmware.remark')} rules={[{ max: 200 }]}>
          <Input />
        </Form.Item>
        <Form.Item
          label={t('firmware.files')}
          extra={t('firmware.filesHint', { max: firmwareMaxFiles, extensions: firmwareExtensions.join(' ') })}
        >
          <Upload
            multiple
            fileList={files}
            beforeUpload={() => false}
            onChange={({ fileList }) => {
              setFiles(fileList);
              checkFiles(fileList.map((f) => ({ name: f.name, size: f.size ?? 0 })));
            }}
          >
            <Button icon={<UploadOutlined />} disabled={busy}>
              {t('firmware.chooseFiles')}
            </Button>
          </Upload>
        </Form.Item>
        {problem && files.length > 0 && <Alert type="error" showIcon message={problem} />}
        {busy && (
          <Progress
            aria-label={t('app.progressOf', { name: t('firmware.upload') })}
            percent={progress}
            status="active"
          />
        )}
      </Form>
    </Modal>
  );
}

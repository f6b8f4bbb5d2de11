// Adds a module (MCU, communication module) to a product, or changes one: its description and
// OneNET's manufacturer and model codes (protocols.md §2.7), which belong to the module.
import { Form, Input, Select } from 'antd';
import { unwrap } from '../../api/api-client.ts';
import type { ProductModule } from '../../api/types.ts';
import { useApi } from '../../auth/session-context.tsx';
import { FormModal } from '../../components/form-modal.tsx';
import { useNotify } from '../../components/use-notify.ts';
import { useT } from '../../i18n/i18n-context.tsx';

interface ModuleInput {
  name: string;
  kind: 'firmware' | 'module' | 'mcu';
  description?: string;
  manufacturerCode?: string;
  modelCode?: string;
}

const codeRule = { pattern: /^[A-Za-z0-9_-]{0,32}$/ };

export function ModuleModal(props: {
  productId: number;
  open: boolean;
  /** The module to change; a new one is added without. */
  editing?: ProductModule | undefined;
  onClose(changed: boolean): void;
}) {
  const t = useT();
  const api = useApi();
  const notify = useNotify();
  const { editing } = props;

  async function submit(values: ModuleInput) {
    if (editing) {
      const { description = '', manufacturerCode = '', modelCode = '' } = values;
      await unwrap(
        api.PATCH('/api/v1/products/{id}/modules/{name}', {
          params: { path: { id: props.productId, name: editing.name } },
          body: { description, manufacturerCode, modelCode },
        }),
      );
      notify.success(t('product.moduleChanged', { name: editing.name }));
    } else {
      const added = await unwrap(
        api.POST('/api/v1/products/{id}/modules', {
          params: { path: { id: props.productId } },
          body: values,
        }),
      );
      notify.success(t('product.moduleAdded', { name: added.name }));
    }
  }

  return (
    <FormModal<ModuleInput>
      title={editing ? t('product.editModule', { name: editing.name }) : t('product.addModule')}
      okText={editing ? t('app.save') : t('app.create')}
      open={props.open}
      onSubmit={submit}
      onClose={props.onClose}
      initialValues={editing ?? { kind: 'mcu' }}
      preserve={false}
    >
      <Form.Item name="name" label={t('product.moduleName')} rules={[{ required: true, max: 32 }]}>
        <Input autoFocus={!editing} disabled={editing !== undefined} />
      </Form.Item>
      <Form.Item name="kind" label={t('product.moduleKind')}>
        <Select
          disabled={editing !== undefined}
          options={(['mcu', 'module', 'firmware'] as const).map((v) => ({
            value: v,
            label: t(`product.moduleKind.${v}`),
          }))}
        />
      </Form.Item>
      <Form.Item name="description" label={t('products.description')} rules={[{ max: 1000 }]}>
        <Input.TextArea rows={2} />
      </Form.Item>
      <Form.Item
        name="manufacturerCode"
        label={t('product.manufacturerCode')}
        extra={t('product.codesHelp')}
        rules={[codeRule]}
      >
        <Input placeholder="101" />
      </Form.Item>
      <Form.Item name="modelCode" label={t('product.modelCode')} rules={[codeRule]}>
        <Input placeholder="10101" />
      </Form.Item>
    </FormModal>
  );
}

// The plan editor's "what to install": the product, the first component's module and package,
// and the components after it, each with its own module and package, in upgrade order
// (docs/adr/0013-plan-components.md). A full package may name the versions that take it.
import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, Card, Form, Select } from 'antd';
import { unwrap } from '../../api/api-client.ts';
import { usePagedList } from '../../api/use-paged-list.ts';
import { useApi } from '../../auth/session-context.tsx';
import { FormSelect } from '../../components/form-select.tsx';
import { ProductSelect } from '../../components/product-select.tsx';
import { useT } from '../../i18n/i18n-context.tsx';
import type { PlanFormValues } from './plan-input.ts';

/** The module and package selects of one component; `path` is where its values live in the form. */
function PackageFields({ path, first }: { path: (string | number)[]; first: boolean }) {
  const t = useT();
  const api = useApi();
  const form = Form.useFormInstance<PlanFormValues>();
  const productId = Form.useWatch('productId', form);
  const module = Form.useWatch([...path, 'module'], form) as string | undefined;
  const packageId = Form.useWatch([...path, 'firmwarePackageId'], form) as number | undefined;
  const modules = usePagedList(`modules?product=${productId ?? ''}`, async () =>
    productId === undefined
      ? { items: [], nextCursor: null }
      : unwrap(
          api.GET('/api/v1/products/{id}/modules', {
            params: { path: { id: productId }, query: { limit: 500 } },
          }),
        ),
  );
  const packages = usePagedList(`firmware?product=${productId ?? ''}&module=${module ?? ''}`, async () =>
    productId === undefined
      ? { items: [], nextCursor: null }
      : unwrap(
          api.GET('/api/v1/firmware', {
            params: { query: { limit: 100, productId, ...(module && { module }) } },
          }),
        ),
  );
  const chosen = packages.items.find((p) => p.id === packageId);
  // The form's typed paths stop at its top level: a later component's path is built at run time.
  const clearPackage = () =>
    (form as unknown as { setFieldValue(name: (string | number)[], value: unknown): void }).setFieldValue(
      [...path, 'firmwarePackageId'],
      undefined,
    );
  const name = (field: string) => (first ? field : [path[path.length - 1]!, field]);
  return (
    <>
      <Form.Item
        name={name('module')}
        label={t('planForm.module')}
        extra={first && t('planForm.module.help')}
      >
        <Select
          allowClear
          disabled={productId === undefined}
          onChange={() => clearPackage()}
          options={modules.items.map((m) => ({ value: m.name, label: `${m.name} (${m.kind})` }))}
        />
      </Form.Item>
      <Form.Item
        name={name('firmwarePackageId')}
        label={t('planForm.firmware')}
        extra={first && t('planForm.firmware.help')}
        rules={[{ required: true }]}
      >
        <FormSelect
          disabled={productId === undefined}
          loading={packages.loading}
          options={packages.items.map((p) => ({
            value: p.id,
            label: `${p.module} ${p.version}${p.type === 'delta' ? ` (${t('firmware.type.delta')} ← ${p.sourceVersion})` : ''}${p.verified ? ` ✓ ${t('firmware.verified')}` : ''}`,
          }))}
        />
      </Form.Item>
      {chosen?.type !== 'delta' && (
        <Form.Item
          name={name('specifiedVersions')}
          label={t('planForm.specifiedVersions')}
          extra={t('planForm.specifiedVersions.help')}
        >
          <Select mode="tags" maxCount={8} tokenSeparators={[',', ';', ' ']} open={false} />
        </Form.Item>
      )}
    </>
  );
}

export function FirmwareFields() {
  const t = useT();
  const form = Form.useFormInstance<PlanFormValues>();
  return (
    <>
      <Form.Item name="productId" label={t('planForm.product')} rules={[{ required: true }]}>
        <ProductSelect
          onChange={() =>
            form.setFieldsValue({ module: undefined, firmwarePackageId: undefined, laterComponents: [] })
          }
        />
      </Form.Item>
      <PackageFields path={[]} first />
      <Form.List name="laterComponents">
        {(fields, { add, remove }) => (
          <>
            {fields.map((field, index) => (
              <Card
                key={field.key}
                size="small"
                title={t('planForm.components.nth', { n: index + 2 })}
                extra={
                  <Button type="text" icon={<MinusCircleOutlined />} onClick={() => remove(field.name)}>
                    {t('planForm.components.remove')}
                  </Button>
                }
                style={{ marginBottom: 16 }}
              >
                <PackageFields path={['laterComponents', field.name]} first={false} />
              </Card>
            ))}
            <Form.Item extra={t('planForm.components.addHelp')}>
              <Button
                icon={<PlusOutlined />}
                disabled={fields.length >= 19}
                onClick={() => add({})}
                data-testid="add-component"
              >
                {t('planForm.components.add')}
              </Button>
            </Form.Item>
          </>
        )}
      </Form.List>
    </>
  );
}

// The plan editor for a new plan (plan-form.tsx): saves a draft, or creates and publishes it
// (starting now, or scheduling it by hand or at a time).
import { ArrowLeftOutlined } from '@ant-design/icons';
import { Button, Form, Space } from 'antd';
import { useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { unwrap } from '../../api/api-client.ts';
import { useApi } from '../../auth/session-context.tsx';
import { PageHeader } from '../../components/page-header.tsx';
import { useNotify } from '../../components/use-notify.ts';
import { useT } from '../../i18n/i18n-context.tsx';
import { PlanForm } from './plan-form.tsx';
import { type PlanFormValues, toPlanInput } from './plan-input.ts';

/** The defaults, and what a link brings (the firmware page's "Verify": a verification plan). */
function initialValuesOf(search: URLSearchParams): Partial<PlanFormValues> {
  const number = (key: string) => (search.has(key) ? Number(search.get(key)) : undefined);
  const verification = search.get('verification') === '1';
  return {
    targetKind: verification ? 'devices' : 'all',
    mode: 'silent',
    startMode: 'now',
    verification,
    ...(number('productId') && { productId: number('productId') }),
    ...(number('firmwarePackageId') && { firmwarePackageId: number('firmwarePackageId') }),
  };
}

export function PlanCreatePage() {
  const t = useT();
  const api = useApi();
  const notify = useNotify();
  const navigate = useNavigate();
  const [form] = Form.useForm<PlanFormValues>();
  const [search] = useSearchParams();
  const [busy, setBusy] = useState<'draft' | 'publish' | null>(null);

  async function submit(values: PlanFormValues, publish: boolean) {
    setBusy(publish ? 'publish' : 'draft');
    try {
      const plan = await unwrap(api.POST('/api/v1/plans', { body: toPlanInput(values) }));
      if (publish) {
        try {
          await unwrap(
            api.POST('/api/v1/plans/{id}/publish', { params: { path: { id: plan.id } }, body: {} }),
          );
          notify.success(t('planForm.published', { name: plan.name }));
        } catch (error) {
          // The draft exists: the plan page shows it and offers to publish again.
          notify.error(error);
        }
      } else {
        notify.success(t('planForm.saved', { name: plan.name }));
      }
      navigate(`/plans/${plan.id}`);
    } catch (error) {
      notify.error(error);
    } finally {
      setBusy(null);
    }
  }

  async function onSubmit(publish: boolean) {
    // validateFields shows its messages beside the fields; submit shows the API's.
    const values = await form.validateFields().catch(() => null);
    if (values) await submit(values, publish);
  }

  return (
    <>
      <Link to="/plans">
        <ArrowLeftOutlined /> {t('plan.back')}
      </Link>
      <PageHeader title={t('planForm.title')} />
      <PlanForm form={form} initialValues={initialValuesOf(search)}>
        <Space wrap>
          <Button type="primary" loading={busy === 'publish'} onClick={() => void onSubmit(true)}>
            {t('planForm.createAndPublish')}
          </Button>
          <Button loading={busy === 'draft'} onClick={() => void onSubmit(false)}>
            {t('planForm.saveDraft')}
          </Button>
        </Space>
      </PlanForm>
    </>
  );
}

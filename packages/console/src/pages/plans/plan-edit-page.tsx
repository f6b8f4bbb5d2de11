// A draft plan in the editor (plan-form.tsx), filled in as it was saved; "Save" replaces it
// (PUT /plans/:id, drafts only: the server refuses a plan past its draft, and a plan that is no
// longer a draft opens with a note instead of the form).
import { ArrowLeftOutlined } from '@ant-design/icons';
import { Button, Form, Result, Skeleton, Space } from 'antd';
import { useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { unwrap } from '../../api/api-client.ts';
import { type ApiError, messageOf } from '../../api/api-error.ts';
import type { PlanDetail } from '../../api/types.ts';
import { useApi } from '../../auth/session-context.tsx';
import { PageHeader } from '../../components/page-header.tsx';
import { useNotify } from '../../components/use-notify.ts';
import { useT } from '../../i18n/i18n-context.tsx';
import { PlanForm } from './plan-form.tsx';
import { formValuesOf } from './plan-form-values.ts';
import { type PlanFormValues, toPlanInput } from './plan-input.ts';

export function PlanEditPage() {
  const t = useT();
  const api = useApi();
  const notify = useNotify();
  const navigate = useNavigate();
  const id = Number(useParams()['id']);
  const [form] = Form.useForm<PlanFormValues>();
  const [plan, setPlan] = useState<PlanDetail | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    unwrap(api.GET('/api/v1/plans/{id}', { params: { path: { id } } })).then(setPlan, (error: ApiError) =>
      setFailure(messageOf(error)),
    );
  }, [api, id]);

  async function save() {
    // validateFields shows its messages beside the fields; the save shows the API's.
    const values = await form.validateFields().catch(() => null);
    if (!values || !plan) return;
    setBusy(true);
    try {
      const body = { ...toPlanInput(values), ...(plan.downgrade && { downgrade: true }) };
      const saved = await unwrap(api.PUT('/api/v1/plans/{id}', { params: { path: { id } }, body }));
      notify.success(t('plan.draftSaved', { name: saved.name }));
      navigate(`/plans/${id}`);
    } catch (error) {
      notify.error(error);
    } finally {
      setBusy(false);
    }
  }

  const back = (
    <Link to={`/plans/${id}`}>
      <ArrowLeftOutlined /> {t('plan.backToPlan')}
    </Link>
  );
  if (failure) return <Result status="warning" title={failure} extra={back} />;
  if (!plan) return <Skeleton active />;
  if (plan.status !== 'draft') return <Result status="info" title={t('plan.notDraft')} extra={back} />;
  return (
    <>
      {back}
      <PageHeader title={t('plan.editTitle')} />
      <PlanForm form={form} initialValues={formValuesOf(plan)}>
        <Space wrap>
          <Button type="primary" loading={busy} onClick={() => void save()}>
            {t('plan.saveDraft')}
          </Button>
          <Button onClick={() => navigate(`/plans/${id}`)}>{t('app.cancel')}</Button>
        </Space>
      </PlanForm>
    </>
  );
}

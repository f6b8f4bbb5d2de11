// The plan's actions, offered by its status and only to operators and admins: publish, edit a
// draft, start, pause, resume, cancel, retry failed, confirm or reject all awaiting (manual
// plans); export for all.
// Pause, cancel and the actions on many devices ask first, naming how many devices they touch.
import { DownloadOutlined } from '@ant-design/icons';
import { App, Button, Popconfirm, Space } from 'antd';
import { useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { unwrap } from '../../api/api-client.ts';
import { ApiError } from '../../api/api-error.ts';
import type { PlanDetail } from '../../api/types.ts';
import { useApi, useCan } from '../../auth/session-context.tsx';
import { TypedConfirmButton } from '../../components/typed-confirm-button.tsx';
import { useNotify } from '../../components/use-notify.ts';
import { useT } from '../../i18n/i18n-context.tsx';

type PlanAction = 'publish' | 'start' | 'pause' | 'resume' | 'cancel';
type BulkAction = 'retry' | 'confirm' | 'reject';

interface Props {
  plan: PlanDetail;
  /** Unfinished devices awaiting confirmation (the plan's report). */
  awaiting: number;
  onChanged(): void;
}

export function PlanActions({ plan, awaiting, onChanged }: Props) {
  const t = useT();
  const api = useApi();
  const notify = useNotify();
  const navigate = useNavigate();
  const { modal } = App.useApp();
  const canAct = useCan('operator');
  const [busy, setBusy] = useState<string | null>(null);
  const path = { params: { path: { id: plan.id } } };

  async function run(action: PlanAction, takeOver = false) {
    setBusy(action);
    try {
      const url = `/api/v1/plans/{id}/${action}` as const;
      await unwrap(api.POST(url, { ...path, body: takeOver ? { takeOver } : {} }));
      notify.success(t(`plan.done.${action}`));
      onChanged();
    } catch (error) {
      if (error instanceof ApiError && error.code === 'PLAN_CONFLICT' && !takeOver) {
        // Devices busy in another plan of the module: say so, and offer to move them here.
        modal.confirm({
          title: error.message,
          content: t('plan.takeOver.question'),
          okText: t('plan.takeOver'),
          cancelText: t('app.cancel'),
          onOk: () => run(action, true),
        });
      } else {
        notify.error(error);
      }
    } finally {
      setBusy(null);
    }
  }

  async function approveWave() {
    setBusy('approve');
    try {
      await unwrap(api.POST('/api/v1/plans/{id}/waves/approve', path));
      notify.success(t('plan.done.approve'));
      onChanged();
    } catch (error) {
      notify.error(error);
    } finally {
      setBusy(null);
    }
  }

  async function rollback() {
    setBusy('rollback');
    try {
      const answer = await unwrap(api.POST('/api/v1/plans/{id}/rollback', path));
      notify.success(t('plan.done.rollback', { count: answer.plans.length }));
      const first = answer.plans[0];
      if (first) navigate(`/plans/${first.id}`);
    } catch (error) {
      notify.error(error);
    } finally {
      setBusy(null);
    }
  }

  async function bulk(action: BulkAction) {
    setBusy(action);
    try {
      const answer = await unwrap(api.POST(`/api/v1/plans/{id}/upgrades/${action}`, { ...path, body: {} }));
      notify.success(t(`plan.done.${action}`, { count: answer.affected }));
      onChanged();
    } catch (error) {
      notify.error(error);
    } finally {
      setBusy(null);
    }
  }

  const { status } = plan;
  const live = status === 'running' || status === 'paused';
  const button = (action: PlanAction | BulkAction, primary = false) => (
    <Button
      key={action}
      type={primary ? 'primary' : 'default'}
      loading={busy === action}
      onClick={() =>
        void (action === 'retry' || action === 'confirm' || action === 'reject' ? bulk(action) : run(action))
      }
    >
      {t(`plan.action.${action}`)}
    </Button>
  );
  /** An action that asks first, with the number of devices it touches. */
  const confirmed = (action: 'pause' | BulkAction, count: number) => (
    <Popconfirm
      key={action}
      title={t(`plan.confirm.${action}`, { count })}
      okText={t(`plan.action.${action}`)}
      okButtonProps={{ danger: action === 'reject' }}
      cancelText={t('app.no')}
      onConfirm={() => (action === 'pause' ? run(action) : bulk(action))}
    >
      <Button danger={action === 'reject'} loading={busy === action}>
        {t(`plan.action.${action}`)}
      </Button>
    </Popconfirm>
  );
  return (
    <Space wrap>
      {canAct && status === 'draft' && button('publish', true)}
      {canAct && status === 'draft' && (
        <Button key="edit" onClick={() => navigate(`/plans/${plan.id}/edit`)}>
          {t('plan.editDraft')}
        </Button>
      )}
      {canAct && status === 'scheduled' && button('start', true)}
      {canAct && status === 'running' && confirmed('pause', plan.summary.unfinished)}
      {canAct && status === 'paused' && button('resume', true)}
      {canAct && live && plan.wave.phase === 'gated' && (
        <Popconfirm
          key="approve"
          title={t('plan.confirm.approve', { wave: plan.wave.index + 2 })}
          okText={t('plan.action.approve')}
          cancelText={t('app.no')}
          onConfirm={() => approveWave()}
        >
          <Button type="primary" loading={busy === 'approve'} data-testid="approve-wave">
            {t('plan.action.approve')}
          </Button>
        </Popconfirm>
      )}
      {canAct &&
        (status === 'paused' ||
          status === 'cancelled' ||
          status === 'expired' ||
          (status === 'completed' && plan.counts['failure']! > 0)) && (
          <Popconfirm
            key="rollback"
            title={t('plan.confirm.rollback')}
            okText={t('plan.action.rollback')}
            cancelText={t('app.no')}
            onConfirm={() => rollback()}
          >
            <Button danger loading={busy === 'rollback'} data-testid="rollback-plan">
              {t('plan.action.rollback')}
            </Button>
          </Popconfirm>
        )}
      {canAct &&
        (live || status === 'completed') &&
        plan.counts['failure']! > 0 &&
        confirmed('retry', plan.counts['failure']!)}
      {canAct &&
        live &&
        plan.mode === 'manual' &&
        awaiting > 0 && [confirmed('confirm', awaiting), confirmed('reject', awaiting)]}
      {canAct && (status === 'draft' || status === 'scheduled' || live) && (
        <TypedConfirmButton
          label={t('plan.action.cancel')}
          question={t('plan.cancelTyped', { name: plan.name })}
          text={plan.name}
          loading={busy === 'cancel'}
          onConfirm={() => run('cancel')}
        />
      )}
      <Button icon={<DownloadOutlined />} href={`/api/v1/plans/${plan.id}/export?format=csv`}>
        {t('plan.export')}
      </Button>
    </Space>
  );
}

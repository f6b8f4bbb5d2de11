// The plan's actions, offered by its status and only to operators and admins: publish, start,
// pause, resume, cancel, retry failed, confirm or reject all awaiting (manual plans); export for all.
import { DownloadOutlined } from '@ant-design/icons';
import { App, Button, Popconfirm, Space } from 'antd';
import { useState } from 'react';
import { unwrap } from '../../api/api-client.ts';
import { ApiError } from '../../api/api-error.ts';
import type { PlanDetail } from '../../api/types.ts';
import { useApi, useCan } from '../../auth/session-context.tsx';
import { useNotify } from '../../components/use-notify.ts';
import { useT } from '../../i18n/i18n-context.tsx';

type PlanAction = 'publish' | 'start' | 'pause' | 'resume' | 'cancel';
type BulkAction = 'retry' | 'confirm' | 'reject';

export function PlanActions({ plan, onChanged }: { plan: PlanDetail; onChanged(): void }) {
  const t = useT();
  const api = useApi();
  const notify = useNotify();
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
  return (
    <Space wrap>
      {canAct && status === 'draft' && button('publish', true)}
      {canAct && status === 'scheduled' && button('start', true)}
      {canAct && status === 'running' && button('pause')}
      {canAct && status === 'paused' && button('resume', true)}
      {canAct && (live || status === 'completed') && plan.counts['failure']! > 0 && button('retry')}
      {canAct && live && plan.mode === 'manual' && [button('confirm'), button('reject')]}
      {canAct && (status === 'draft' || status === 'scheduled' || live) && (
        <Popconfirm
          title={t('plan.cancelConfirm')}
          okText={t('plan.action.cancel')}
          cancelText={t('app.no')}
          onConfirm={() => run('cancel')}
        >
          <Button danger loading={busy === 'cancel'}>
            {t('plan.action.cancel')}
          </Button>
        </Popconfirm>
      )}
      <Button icon={<DownloadOutlined />} href={`/api/v1/plans/${plan.id}/export?format=csv`}>
        {t('plan.export')}
      </Button>
    </Space>
  );
}

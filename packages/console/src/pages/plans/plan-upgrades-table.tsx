// The plan's device upgrades, filtered by status, with the per-device actions (retry one, cancel,
// confirm, reject) for operators and each device's log in a drawer. Reloads when `version`
// (the plan's counts) changes, so it follows the live page without a poll of its own.
import { Button, Progress, Select, Space, Table, Tag } from 'antd';
import { useState } from 'react';
import { unwrap } from '../../api/api-client.ts';
import type { DeviceUpgrade, UpgradeStatus } from '../../api/types.ts';
import { usePagedList } from '../../api/use-paged-list.ts';
import { useApi, useCan } from '../../auth/session-context.tsx';
import { EmptyState } from '../../components/empty-state.tsx';
import { useNotify } from '../../components/use-notify.ts';
import { useT } from '../../i18n/i18n-context.tsx';
import { statusColors, upgradeStatuses } from './plan-progress-chart.tsx';
import { UpgradeLogDrawer } from './upgrade-log-drawer.tsx';

type UpgradeAction = 'retry' | 'cancel' | 'confirm' | 'reject';

function actionsFor(upgrade: DeviceUpgrade): UpgradeAction[] {
  const actions: UpgradeAction[] = [];
  if (upgrade.status === 'failure') actions.push('retry');
  if (upgrade.confirmation === 'awaiting') actions.push('confirm', 'reject');
  if (upgrade.status === 'pending' || upgrade.status === 'pushed' || upgrade.status === 'upgrading') {
    actions.push('cancel');
  }
  return actions;
}

interface Props {
  planId: number;
  version: string;
  emptyText: string;
  onChanged(): void;
}

export function PlanUpgradesTable({ planId, version, emptyText, onChanged }: Props) {
  const t = useT();
  const api = useApi();
  const notify = useNotify();
  const canAct = useCan('operator');
  const [status, setStatus] = useState<UpgradeStatus | undefined>();
  const [open, setOpen] = useState<number | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const upgrades = usePagedList(`upgrades?plan=${planId}&status=${status ?? ''}&v=${version}`, (cursor) =>
    unwrap(
      api.GET('/api/v1/plans/{id}/upgrades', {
        params: {
          path: { id: planId },
          query: { limit: 50, ...(status && { status }), ...(cursor && { cursor }) },
        },
      }),
    ),
  );

  async function act(upgrade: DeviceUpgrade, action: UpgradeAction) {
    setBusy(`${upgrade.id}:${action}`);
    try {
      await unwrap(
        api.POST(`/api/v1/device-upgrades/{id}/${action}`, { params: { path: { id: upgrade.id } } }),
      );
      notify.success(t(`upgrade.done.${action}`, { name: upgrade.deviceName }));
      onChanged();
    } catch (error) {
      notify.error(error);
    } finally {
      setBusy(null);
    }
  }

  return (
    <>
      <Select<UpgradeStatus>
        allowClear
        placeholder={t('plan.filterStatus')}
        value={status}
        onChange={setStatus}
        options={upgradeStatuses.map((s) => ({ value: s, label: t(`upgrade.status.${s}`) }))}
        style={{ minWidth: 160, marginBottom: 16 }}
      />
      <Table<DeviceUpgrade>
        rowKey="id"
        loading={upgrades.loading && upgrades.items.length === 0}
        dataSource={upgrades.items}
        pagination={false}
        scroll={{ x: 720 }}
        locale={{ emptyText: upgrades.loading ? ' ' : <EmptyState text={emptyText} /> }}
        columns={[
          {
            title: t('devices.name'),
            dataIndex: 'deviceName',
            render: (name: string, row) => (
              <Button type="link" style={{ padding: 0 }} onClick={() => setOpen(row.id)}>
                {name}
              </Button>
            ),
          },
          {
            title: t('plans.status'),
            dataIndex: 'status',
            render: (s: UpgradeStatus, row) => (
              <Space size={4}>
                <Tag color={statusColors[s]}>{t(`upgrade.status.${s}`)}</Tag>
                {s === 'upgrading' && <Progress percent={row.progress} size="small" style={{ width: 80 }} />}
                {row.confirmation === 'awaiting' && <Tag>{t('upgrade.awaiting')}</Tag>}
              </Space>
            ),
          },
          {
            title: t('plan.failureReason'),
            dataIndex: 'failureReason',
            render: (reason: DeviceUpgrade['failureReason']) => (reason ? t(`failure.${reason}`) : '–'),
          },
          { title: t('upgrade.attempts'), dataIndex: 'attempts', responsive: ['md'] },
          {
            title: t('upgrade.reportedVersion'),
            dataIndex: 'reportedVersion',
            responsive: ['md'],
            render: (v: string | null) => v ?? '–',
          },
          {
            title: t('upgrade.updatedAt'),
            dataIndex: 'updatedAt',
            responsive: ['lg'],
            render: (at: string) => new Date(at).toLocaleTimeString(),
          },
          ...(canAct
            ? [
                {
                  title: t('app.actions'),
                  key: 'actions',
                  render: (_: unknown, row: DeviceUpgrade) => (
                    <Space size={4} wrap>
                      {actionsFor(row).map((action) => (
                        <Button
                          key={action}
                          size="small"
                          danger={action === 'cancel' || action === 'reject'}
                          loading={busy === `${row.id}:${action}`}
                          onClick={() => void act(row, action)}
                        >
                          {t(`upgrade.action.${action}`)}
                        </Button>
                      ))}
                    </Space>
                  ),
                },
              ]
            : []),
        ]}
      />
      {upgrades.hasMore && (
        <Button onClick={upgrades.loadMore} loading={upgrades.loading} style={{ marginTop: 16 }}>
          {t('app.loadMore')}
        </Button>
      )}
      <UpgradeLogDrawer upgradeId={open} onClose={() => setOpen(null)} />
    </>
  );
}

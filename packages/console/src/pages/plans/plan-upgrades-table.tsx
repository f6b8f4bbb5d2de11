// The plan's device upgrades, filtered by status, with why each device waits, whether it is
// online, the per-device actions (retry one; cancel and reject after a confirmation; confirm)
// for operators, offered only while they apply, and each device's log in a drawer. Reloads when
// `version` (the plan's counts, status and awaiting confirmations) changes, so it follows the live page without a poll of its own.
// Below the md breakpoint (a phone) the rows are cards (plan-upgrade-cards.tsx).
import { Button, Grid, Popconfirm, Progress, Select, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { unwrap } from '../../api/api-client.ts';
import type { DeviceUpgrade, UpgradeStatus } from '../../api/types.ts';
import { usePagedList } from '../../api/use-paged-list.ts';
import { useApi, useCan } from '../../auth/session-context.tsx';
import { EmptyState } from '../../components/empty-state.tsx';
import { useNotify } from '../../components/use-notify.ts';
import { useT } from '../../i18n/i18n-context.tsx';
import { upgradeStatusTagColors } from '../../theme/contrast-colors.ts';
import { ComponentTags } from './plan-components-card.tsx';
import { upgradeStatuses } from './plan-progress-chart.tsx';
import { PlanUpgradeCards } from './plan-upgrade-cards.tsx';
import { UpgradeLogDrawer } from './upgrade-log-drawer.tsx';

type UpgradeAction = 'retry' | 'cancel' | 'confirm' | 'reject';

const unfinished = (upgrade: DeviceUpgrade) =>
  upgrade.status === 'pending' || upgrade.status === 'pushed' || upgrade.status === 'upgrading';

/** The actions that apply now: an ended upgrade awaits no confirmation, whatever it said before. */
export function actionsFor(upgrade: DeviceUpgrade): UpgradeAction[] {
  const actions: UpgradeAction[] = [];
  if (upgrade.status === 'failure') actions.push('retry');
  if (upgrade.confirmation === 'awaiting' && unfinished(upgrade)) actions.push('confirm', 'reject');
  if (unfinished(upgrade)) actions.push('cancel');
  return actions;
}

/** Online now, or when the device was last seen. */
function DeviceState({ upgrade }: { upgrade: DeviceUpgrade }) {
  const t = useT();
  if (upgrade.deviceOnline) return <Tag color="green">{t('upgrade.online')}</Tag>;
  const seen = upgrade.deviceLastSeenAt;
  return (
    <Space size={4} wrap>
      <Tag>{t('upgrade.offline')}</Tag>
      <Typography.Text type="secondary">
        {seen ? t('upgrade.lastSeen', { at: new Date(seen).toLocaleString() }) : t('upgrade.neverSeen')}
      </Typography.Text>
    </Space>
  );
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
  // A phone: cards instead of a table whose reason and actions sit off-screen.
  const narrow = Grid.useBreakpoint().md === false;
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

  const statusOf = (row: DeviceUpgrade) => (
    <Space size={4} wrap>
      <Tag color={upgradeStatusTagColors[row.status]}>
        {t(row.noUpdateRequired ? 'upgrade.noUpdateRequired' : `upgrade.status.${row.status}`)}
      </Tag>
      {row.status === 'upgrading' && row.stage === 'confirming' && (
        <Tag color="gold">{t('upgrade.stage.confirming')}</Tag>
      )}
      {row.status === 'upgrading' && row.stage !== 'confirming' && (
        <Progress
          aria-label={t('app.progressOf', { name: row.deviceName })}
          percent={row.progress}
          size="small"
          style={{ width: 80 }}
        />
      )}
      {row.confirmation === 'awaiting' && unfinished(row) && <Tag>{t('upgrade.awaiting')}</Tag>}
    </Space>
  );
  const actionsOf = (row: DeviceUpgrade) => (
    <Space size={4} wrap>
      {actionsFor(row).map((action) =>
        action === 'cancel' || action === 'reject' ? (
          <Popconfirm
            key={action}
            title={t(`upgrade.confirm.${action}`, { name: row.deviceName })}
            okText={t(`upgrade.action.${action}`)}
            okButtonProps={{ danger: true }}
            cancelText={t('app.no')}
            onConfirm={() => act(row, action)}
          >
            <Button size="small" danger loading={busy === `${row.id}:${action}`}>
              {t(`upgrade.action.${action}`)}
            </Button>
          </Popconfirm>
        ) : (
          <Button
            key={action}
            size="small"
            loading={busy === `${row.id}:${action}`}
            onClick={() => void act(row, action)}
          >
            {t(`upgrade.action.${action}`)}
          </Button>
        ),
      )}
    </Space>
  );
  const empty = upgrades.loading ? ' ' : <EmptyState text={emptyText} />;

  return (
    <>
      <Select<UpgradeStatus>
        allowClear
        aria-label={t('plan.filterStatus')}
        placeholder={t('plan.filterStatus')}
        value={status}
        onChange={setStatus}
        options={upgradeStatuses.map((s) => ({ value: s, label: t(`upgrade.status.${s}`) }))}
        style={{ minWidth: 160, marginBottom: 16 }}
      />
      {narrow ? (
        <PlanUpgradeCards
          items={upgrades.items}
          loading={upgrades.loading && upgrades.items.length === 0}
          emptyText={empty}
          onOpen={setOpen}
          status={statusOf}
          device={(row) => <DeviceState upgrade={row} />}
          actions={(row) => (canAct ? actionsOf(row) : null)}
        />
      ) : (
        <Table<DeviceUpgrade>
          rowKey="id"
          loading={upgrades.loading && upgrades.items.length === 0}
          dataSource={upgrades.items}
          pagination={false}
          scroll={{ x: 960 }}
          locale={{ emptyText: empty }}
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
              render: (_: UpgradeStatus, row) => statusOf(row),
            },
            ...(upgrades.items.some((u) => u.components.length > 1)
              ? [
                  {
                    title: t('upgrade.components'),
                    key: 'components',
                    render: (_: unknown, row: DeviceUpgrade) => <ComponentTags components={row.components} />,
                  },
                ]
              : []),
            {
              title: t('upgrade.waiting'),
              dataIndex: 'waitingReason',
              render: (reason: DeviceUpgrade['waitingReason']) =>
                reason ? t(`upgrade.wait.${reason}`) : '–',
            },
            {
              title: t('upgrade.device'),
              key: 'device',
              render: (_: unknown, row: DeviceUpgrade) => <DeviceState upgrade={row} />,
            },
            {
              title: t('plan.failureReason'),
              dataIndex: 'failureReason',
              render: (reason: DeviceUpgrade['failureReason']) => (reason ? t(`failure.${reason}`) : '–'),
            },
            { title: t('upgrade.attempts'), dataIndex: 'attempts', responsive: ['md'] },
            { title: t('upgrade.refusals'), dataIndex: 'refusals', responsive: ['lg'] },
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
                    render: (_: unknown, row: DeviceUpgrade) => actionsOf(row),
                  },
                ]
              : []),
          ]}
        />
      )}
      {upgrades.hasMore && (
        <Button onClick={upgrades.loadMore} loading={upgrades.loading} style={{ marginTop: 16 }}>
          {t('app.loadMore')}
        </Button>
      )}
      <UpgradeLogDrawer upgradeId={open} onClose={() => setOpen(null)} />
    </>
  );
}

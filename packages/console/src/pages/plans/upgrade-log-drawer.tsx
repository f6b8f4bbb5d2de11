// One device upgrade with its append-only log (GET /device-upgrades/:id), in a side drawer.
import { Alert, Descriptions, Drawer, Skeleton, Tag, Timeline } from 'antd';
import { useEffect, useState } from 'react';
import { unwrap } from '../../api/api-client.ts';
import { messageOf } from '../../api/api-error.ts';
import type { DeviceUpgradeWithLog } from '../../api/types.ts';
import { useApi } from '../../auth/session-context.tsx';
import { useT } from '../../i18n/i18n-context.tsx';
import { statusColors } from './plan-progress-chart.tsx';

export function UpgradeLogDrawer({ upgradeId, onClose }: { upgradeId: number | null; onClose(): void }) {
  const t = useT();
  const api = useApi();
  const [upgrade, setUpgrade] = useState<DeviceUpgradeWithLog | null>(null);
  const [failure, setFailure] = useState<string | null>(null);

  useEffect(() => {
    // Closing keeps what is shown until the drawer has slid away.
    if (upgradeId === null) return;
    setUpgrade(null);
    setFailure(null);
    unwrap(api.GET('/api/v1/device-upgrades/{id}', { params: { path: { id: upgradeId } } })).then(
      setUpgrade,
      (error) => setFailure(messageOf(error)),
    );
  }, [api, upgradeId]);

  return (
    <Drawer
      open={upgradeId !== null}
      onClose={onClose}
      width={520}
      title={upgrade ? t('upgrade.logTitle', { name: upgrade.deviceName }) : t('upgrade.log')}
    >
      {failure && <Alert type="error" showIcon message={failure} />}
      {!failure && !upgrade && <Skeleton active />}
      {upgrade && (
        <>
          <Descriptions column={1} size="small" style={{ marginBottom: 16 }}>
            <Descriptions.Item label={t('plans.status')}>
              <Tag color={statusColors[upgrade.status]}>{t(`upgrade.status.${upgrade.status}`)}</Tag>
              {upgrade.stage && t(`upgrade.stage.${upgrade.stage}`)} {upgrade.progress}%
            </Descriptions.Item>
            <Descriptions.Item label={t('plan.failureReason')}>
              {upgrade.failureReason ? t(`failure.${upgrade.failureReason}`) : '–'}
              {upgrade.failureDetail ? ` (${upgrade.failureDetail})` : ''}
            </Descriptions.Item>
            <Descriptions.Item label={t('upgrade.attempts')}>{upgrade.attempts}</Descriptions.Item>
            <Descriptions.Item label={t('upgrade.reportedVersion')}>
              {upgrade.reportedVersion ?? '–'}
            </Descriptions.Item>
          </Descriptions>
          <Timeline
            data-testid="upgrade-log"
            items={upgrade.log.map((entry) => ({
              color: statusColors[entry.to],
              children: (
                <>
                  <div>
                    <strong>{entry.event}</strong> {t(`upgrade.status.${entry.from}`)} →{' '}
                    {t(`upgrade.status.${entry.to}`)}
                  </div>
                  <div style={{ color: '#8c8c8c', fontSize: 12 }}>
                    {new Date(entry.at).toLocaleString()}
                    {entry.actor ? ` · ${entry.actor}` : ''}
                  </div>
                  {entry.message && <div>{entry.message}</div>}
                </>
              ),
            }))}
          />
        </>
      )}
    </Drawer>
  );
}

// One device upgrade with its append-only log (GET /device-upgrades/:id), in a side drawer.
import { Alert, Descriptions, Drawer, Skeleton, Tag, Timeline } from 'antd';
import { useEffect, useState } from 'react';
import { unwrap } from '../../api/api-client.ts';
import { messageOf } from '../../api/api-error.ts';
import type { DeviceUpgradeWithLog } from '../../api/types.ts';
import { useApi } from '../../auth/session-context.tsx';
import { en, type MessageKey } from '../../i18n/en.ts';
import { useT } from '../../i18n/i18n-context.tsx';
import { upgradeStatusTagColors } from '../../theme/contrast-colors.ts';
import { ComponentTags } from './plan-components-card.tsx';

export function UpgradeLogDrawer({ upgradeId, onClose }: { upgradeId: number | null; onClose(): void }) {
  const t = useT();
  // The event in words (the code stays in the title); an event this console does not know shows its code.
  const eventLabel = (event: string) => {
    const key = `log.event.${event}`;
    return key in en ? t(key as MessageKey) : event;
  };
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
              <Tag color={upgradeStatusTagColors[upgrade.status]}>
                {t(`upgrade.status.${upgrade.status}`)}
              </Tag>
              {upgrade.stage && t(`upgrade.stage.${upgrade.stage}`)} {upgrade.progress}%
            </Descriptions.Item>
            {upgrade.components.length > 1 && (
              <Descriptions.Item label={t('upgrade.components')}>
                <ComponentTags components={upgrade.components} />
              </Descriptions.Item>
            )}
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
              color: upgradeStatusTagColors[entry.to],
              children: (
                <>
                  <div>
                    <strong title={entry.event}>{eventLabel(entry.event)}</strong>{' '}
                    {t(`upgrade.status.${entry.from}`)} → {t(`upgrade.status.${entry.to}`)}
                  </div>
                  <div style={{ color: '#595959', fontSize: 12 }}>
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

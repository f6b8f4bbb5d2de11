// The plan's device upgrades as cards on a narrow screen (issue 19: at 390 px the table hid the
// reason and the actions off-screen): each card names the device (its log on a tap), its status,
// why it waits, whether it is online, why it failed, and the actions that apply now.
import { Button, Card, List, Space, Typography } from 'antd';
import type { ReactNode } from 'react';
import type { DeviceUpgrade } from '../../api/types.ts';
import { useT } from '../../i18n/i18n-context.tsx';
import { ComponentTags } from './plan-components-card.tsx';

interface Props {
  items: DeviceUpgrade[];
  loading: boolean;
  emptyText: ReactNode;
  onOpen(upgradeId: number): void;
  /** The status cell, the device's online state and the actions, as the table shows them. */
  status(row: DeviceUpgrade): ReactNode;
  device(row: DeviceUpgrade): ReactNode;
  actions(row: DeviceUpgrade): ReactNode;
}

export function PlanUpgradeCards({ items, loading, emptyText, onOpen, status, device, actions }: Props) {
  const t = useT();
  return (
    <List
      dataSource={items}
      loading={loading}
      locale={{ emptyText }}
      split={false}
      renderItem={(row) => (
        <List.Item key={row.id} style={{ padding: '4px 0' }}>
          <Card
            size="small"
            style={{ width: '100%' }}
            data-testid="upgrade-card"
            title={
              <Button type="link" style={{ padding: 0 }} onClick={() => onOpen(row.id)}>
                {row.deviceName}
              </Button>
            }
          >
            <Space direction="vertical" size={6} style={{ width: '100%' }}>
              {status(row)}
              {row.components.length > 1 && <ComponentTags components={row.components} />}
              {row.waitingReason && (
                <Typography.Text>
                  {t('upgrade.waiting')}: {t(`upgrade.wait.${row.waitingReason}`)}
                </Typography.Text>
              )}
              {device(row)}
              {row.failureReason && (
                <Typography.Text>
                  {t('plan.failureReason')}: {t(`failure.${row.failureReason}`)}
                </Typography.Text>
              )}
              {actions(row)}
            </Space>
          </Card>
        </List.Item>
      )}
    />
  );
}

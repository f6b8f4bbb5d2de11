// The header's word for how pages stay current: "Live" while the event stream is open, "Polling"
// while it is not (and what that means when polling is turned off).
import { Tag, Tooltip } from 'antd';
import { isPollingEnabled, useLiveEvents } from '../api/live-events.tsx';
import { useT } from '../i18n/i18n-context.tsx';

const colors = { open: 'success', connecting: 'default', down: 'warning' } as const;

export function LiveStateTag() {
  const t = useT();
  const { state } = useLiveEvents();
  const hint = state === 'down' && !isPollingEnabled() ? t('live.down.off') : t(`live.${state}.hint`);
  return (
    <Tooltip title={hint}>
      <Tag color={colors[state]} data-testid="live-state" data-state={state}>
        {t(`live.${state}`)}
      </Tag>
    </Tooltip>
  );
}

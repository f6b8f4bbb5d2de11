// The header's word for how pages stay current: "Live" while the event stream is open, "Polling"
// while it is not (and what that means when polling is turned off).
import { Tag, Tooltip } from 'antd';
import { isPollingEnabled, useLiveEvents } from '../api/live-events.tsx';
import { useT } from '../i18n/i18n-context.tsx';

/** Solid colours with white text at AA (the preset success and warning tags are 2.7:1 and less). */
const colors = { open: '#237804', connecting: '#595959', down: '#ad4e00' } as const;

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

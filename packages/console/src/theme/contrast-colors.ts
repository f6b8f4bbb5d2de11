// Colours that carry text, chosen for WCAG 2.1 AA (issue 19 measured status tags at 1.74:1 to
// 3.27:1 and help text at 3.4:1): a Tag given a hex colour is that colour with white text, so
// each colour below is dark enough for white (4.5:1 or more); help and secondary text is a grey
// of 7:1 on white. test/console/contrast.test.ts computes every ratio.
import type { Plan, UpgradeStatus } from '../api/types.ts';

/** Device-upgrade status tags (the charts keep their lighter fills in plan-progress-chart.tsx). */
export const upgradeStatusTagColors: Record<UpgradeStatus, string> = {
  pending: '#595959',
  pushed: '#0958d9',
  upgrading: '#003eb3',
  success: '#237804',
  failure: '#cf1322',
  cancelled: '#434343',
};

/** Plan status tags (plans list, plan page, overview). */
export const planStatusTagColors: Record<Plan['status'], string> = {
  draft: '#595959',
  scheduled: '#006d75',
  running: '#0958d9',
  paused: '#ad4e00',
  completed: '#237804',
  cancelled: '#434343',
  expired: '#a8071a',
};

/** A firmware package's "verified" tag. */
export const verifiedTagColor = '#237804';

/** Help under form fields and secondary text (antd's colorTextDescription, 0.45 black: 3.4:1). */
export const descriptionTextColor = '#595959';

function channel(value: number): number {
  const c = value / 255;
  return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

/** WCAG 2.1 relative luminance of `#rrggbb`. */
export function luminance(hex: string): number {
  const n = Number.parseInt(hex.slice(1), 16);
  return 0.2126 * channel((n >> 16) & 255) + 0.7152 * channel((n >> 8) & 255) + 0.0722 * channel(n & 255);
}

/** WCAG 2.1 contrast ratio of two `#rrggbb` colours, 1 to 21. */
export function contrastRatio(a: string, b: string): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

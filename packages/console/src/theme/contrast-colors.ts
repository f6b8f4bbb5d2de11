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

/**
 * Ant Design's colours for text on white that its defaults leave under AA (the axe-core check in
 * the browser tests found them): links, danger buttons and error text, success and warning tags
 * and text, and the labels of descriptions. Each is 4.5:1 or more on white.
 */
export const accessibleTokens = {
  colorPrimary: '#1668dc',
  /** A focused or hovered default button's text (antd's #3c8ae8 is 3.5:1); primary buttons' hover. */
  colorPrimaryHover: '#0958d9',
  /** antd derives links from its info blue, #1677ff: 4.0:1. */
  colorLink: '#1668dc',
  /** #ff4d4f: 3.3:1. */
  colorError: '#cf1322',
  /** #52c41a: 2.2:1. */
  colorSuccess: '#237804',
  /** #faad14: 1.9:1. */
  colorWarning: '#ad4e00',
  /** #1677ff: 4.0:1 ("processing" tags). */
  colorInfo: '#0958d9',
  // A status tag is its colour on its pale background: antd derives the background from the
  // colour, which darkened gives a grey-green of 2.7:1; the default pale ones are kept.
  colorSuccessBg: '#f6ffed',
  colorSuccessBorder: '#b7eb8f',
  colorWarningBg: '#fffbe6',
  colorWarningBorder: '#ffe58f',
  colorErrorBg: '#fff2f0',
  colorErrorBorder: '#ffccc7',
  colorInfoBg: '#e6f4ff',
  colorInfoBorder: '#91caff',
  colorTextDescription: descriptionTextColor,
  /** 0.45 black: 3.4:1 (the labels of a product's or a device's properties). */
  colorTextTertiary: descriptionTextColor,
} as const;

/**
 * The text of preset-coloured tags (`<Tag color="green">`) is the 7th shade of the colour on its
 * 1st: green, gold, orange, cyan, lime and volcano fall under AA there (green 3.4:1, gold 2.6:1),
 * so those tags take the 8th or 9th shade (Tag's own tokens).
 */
export const tagTextTokens = {
  green7: '#237804',
  gold7: '#874d00',
  orange7: '#ad4e00',
  cyan7: '#006d75',
  lime7: '#3f6600',
  volcano7: '#ad2102',
} as const;

/** The pale background of each shade above, which its text is measured on. */
export const tagBackgrounds: Record<keyof typeof tagTextTokens, string> = {
  green7: '#f6ffed',
  gold7: '#fffbe6',
  orange7: '#fff7e6',
  cyan7: '#e6fffb',
  lime7: '#fcffe6',
  volcano7: '#fff2e8',
};

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

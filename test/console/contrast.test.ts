// The console's text colours meet WCAG 2.1 AA (issue 19 measured Pushed 1.74:1, Success 2.27:1,
// Failure 3.27:1, completed/verified 2.21:1 and help text 3.4:1): white on every status tag's
// colour, and help text on white, at 4.5:1 or more; the ratio itself checked on known pairs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  accessibleTokens,
  contrastRatio,
  descriptionTextColor,
  planStatusTagColors,
  tagBackgrounds,
  tagTextTokens,
  upgradeStatusTagColors,
  verifiedTagColor,
} from '../../packages/console/src/theme/contrast-colors.ts';

const white = '#ffffff';
const aa = 4.5;

describe('console colours', () => {
  it('computes WCAG contrast ratios', () => {
    assert.equal(contrastRatio('#000000', white), 21);
    assert.equal(contrastRatio(white, white), 1);
    // The colours issue 19 measured: the old Pushed tag and antd's 0.45-black help text.
    assert.equal(contrastRatio('#91caff', white).toFixed(2), '1.74');
    assert.equal(contrastRatio('#8c8c8c', white).toFixed(2), '3.36');
  });

  it('gives every status tag white text at AA or better', () => {
    const tags = {
      ...Object.fromEntries(Object.entries(upgradeStatusTagColors).map(([k, v]) => [`upgrade ${k}`, v])),
      ...Object.fromEntries(Object.entries(planStatusTagColors).map(([k, v]) => [`plan ${k}`, v])),
      verified: verifiedTagColor,
    };
    const low = Object.entries(tags)
      .map(([name, colour]) => [name, contrastRatio(white, colour)] as const)
      .filter(([, ratio]) => ratio < aa);
    assert.deepEqual(low, []);
  });

  it('gives help and secondary text AA on white', () => {
    assert.ok(contrastRatio(descriptionTextColor, white) >= aa);
  });

  it('gives every Ant Design colour the console sets for text AA on white, and tags on their backgrounds', () => {
    const text = Object.entries(accessibleTokens).filter(([key]) => !/Bg$|Border$/.test(key));
    const low = text.filter(([, colour]) => contrastRatio(colour, white) < aa);
    assert.deepEqual(low, []);
    const statuses = ['Success', 'Warning', 'Error', 'Info'] as const;
    const onBackground = statuses
      .map((s) => [s, contrastRatio(accessibleTokens[`color${s}`], accessibleTokens[`color${s}Bg`])] as const)
      .filter(([, ratio]) => ratio < aa);
    assert.deepEqual(onBackground, []);
    const presets = Object.entries(tagTextTokens)
      .map(
        ([key, colour]) =>
          [key, contrastRatio(colour, tagBackgrounds[key as keyof typeof tagTextTokens])] as const,
      )
      .filter(([, ratio]) => ratio < aa);
    assert.deepEqual(presets, []);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PlanSpecIssue } from './internal/spec-reader.ts';
import { planSpecLimits } from './plan-spec.ts';
import { validatePlanSpec } from './validate-plan-spec.ts';

const minimal = {
  name: 'Spring rollout',
  productId: 'p1',
  moduleId: 'm1',
  firmware: { kind: 'full', packageId: 'f1', targetVersion: '2.0' },
  target: { kind: 'all' },
};
const texts = { zh: '修复了蓝牙断连\n提升续航', en: 'Fixes Bluetooth drops\nLonger battery life' };

function issuesOf(input: unknown): PlanSpecIssue[] {
  const result = validatePlanSpec(input);
  assert.equal(result.ok, false, 'expected issues');
  return result.ok ? [] : [...result.issues];
}

function hasIssue(input: unknown, path: string, code: string): void {
  const issues = issuesOf(input);
  assert.ok(
    issues.some((i) => i.path === path && i.code === code),
    `expected ${path} ${code}, got ${JSON.stringify(issues)}`,
  );
}

describe('plan spec: upgrade texts', () => {
  it('keeps the texts of a manual plan, line breaks included', () => {
    const result = validatePlanSpec({ ...minimal, mode: 'manual', texts });
    assert.ok(result.ok);
    assert.deepEqual(result.spec.texts, texts);
  });

  it('refuses a manual plan without texts with texts_required', () => {
    hasIssue({ ...minimal, mode: 'manual' }, 'texts', 'texts_required');
    hasIssue({ ...minimal, mode: 'manual', texts: null }, 'texts', 'texts_required');
  });

  it('lets a silent plan go without texts, or carry them', () => {
    const bare = validatePlanSpec({ ...minimal, texts: null });
    assert.ok(bare.ok);
    assert.equal('texts' in bare.spec, false);
    const told = validatePlanSpec({ ...minimal, texts });
    assert.ok(told.ok);
    assert.deepEqual(told.spec.texts, texts);
  });

  it('needs both languages, not blank, within the length limit', () => {
    hasIssue({ ...minimal, mode: 'manual', texts: { zh: '修复' } }, 'texts.en', 'required');
    hasIssue({ ...minimal, texts: { en: 'x', zh: '  ' } }, 'texts.zh', 'blank');
    hasIssue({ ...minimal, texts: { en: 1, zh: 'x' } }, 'texts.en', 'invalid_type');
    const long = '长'.repeat(planSpecLimits.textMaxCodePoints + 1);
    hasIssue({ ...minimal, texts: { en: 'x', zh: long } }, 'texts.zh', 'too_long');
    const fits = validatePlanSpec({ ...minimal, texts: { en: 'x', zh: long.slice(1) } });
    assert.ok(fits.ok, 'a limit of characters, not bytes');
  });

  it('refuses control characters other than line breaks, and unknown languages', () => {
    hasIssue({ ...minimal, texts: { en: 'a\u0007b', zh: 'x' } }, 'texts.en', 'invalid_value');
    hasIssue({ ...minimal, texts: { ...texts, fr: 'x' } }, 'texts.fr', 'unknown_field');
    hasIssue({ ...minimal, texts: 'fixes' }, 'texts', 'invalid_type');
  });
});

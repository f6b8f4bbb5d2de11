// A plan's upgrade texts: what the device's owner reads before an upgrade (Quectel's console asks
// for them in Chinese and English on manual plans, protocols.md §3.1). Both languages together,
// each 1 to 500 characters, no control characters but line breaks; required on a manual plan.
import { planSpecLimits as limits, type UpgradeTexts } from '../plan-spec.ts';
import { type Issues, readObject } from './spec-reader.ts';

// C0/C1 controls and DEL other than tab and line breaks (texts may have paragraphs).
const allowedControls = new Set(['\t', '\n', '\r']);
const hasControlCharacter = (text: string) =>
  [...text].some((c) => /\p{Cc}/u.test(c) && !allowedControls.has(c));

function readText(value: unknown, path: string, issues: Issues): string | null {
  if (value === undefined) return issues.add(path, 'required', 'is required');
  if (typeof value !== 'string') return issues.add(path, 'invalid_type', 'must be a string');
  if (value.trim() === '') return issues.add(path, 'blank', 'must not be blank');
  if ([...value].length > limits.textMaxCodePoints) {
    return issues.add(path, 'too_long', `must be at most ${limits.textMaxCodePoints} characters`);
  }
  if (hasControlCharacter(value)) {
    return issues.add(path, 'invalid_value', 'must not contain control characters other than line breaks');
  }
  return value;
}

/**
 * `texts` of a plan spec: undefined when absent (allowed on a silent plan), null on an issue.
 * A manual plan without them gets `texts_required`.
 */
export function readTexts(value: unknown, manual: boolean, issues: Issues): UpgradeTexts | null | undefined {
  if (value === undefined || value === null) {
    if (!manual) return undefined;
    return issues.add(
      'texts',
      'texts_required',
      'a manual plan needs upgrade texts in Chinese and English (zh, en)',
    );
  }
  const object = readObject(value, 'texts', issues, ['zh', 'en']);
  if (object === null) return null;
  const zh = readText(object['zh'], 'texts.zh', issues);
  const en = readText(object['en'], 'texts.en', issues);
  return zh === null || en === null ? null : { zh, en };
}

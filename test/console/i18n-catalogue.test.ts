// The console's catalogue: English and Chinese hold the same keys, every code the server sends
// and the console shows in words has a label in both (statuses, failure and waiting reasons,
// log events), every literal key in the source exists, and a Chinese label is not the English
// one left in place (issue 19: "repush_due", "Please enter 用户名" in the Chinese console).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  failureReasons,
  planStatuses,
  upgradeEventTypes,
  upgradeStatuses,
  waitingReasons,
} from '@updraft/core';
import { en } from '../../packages/console/src/i18n/en.ts';
import { zhCN } from '../../packages/console/src/i18n/zh-cn.ts';

const source = join(import.meta.dirname, '..', '..', 'packages', 'console', 'src');

function* files(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else if (/\.tsx?$/.test(name) && !name.endsWith('.d.ts')) yield path;
  }
}

// Labels that are the same in both languages on purpose: names, units, codes.
const sameInBoth = new Set([
  'app.name',
  'upgrade.stage.downloading',
  'upgrade.stage.downloaded',
  'upgrade.stage.installing',
]);

describe('the console catalogue', () => {
  it('has the same keys in English and Chinese, none empty', () => {
    assert.deepEqual(Object.keys(zhCN).sort(), Object.keys(en).sort());
    for (const [key, text] of Object.entries(zhCN)) assert.ok(text.trim() !== '', `zh-cn ${key} is empty`);
  });

  it('labels every code the server sends and the console shows', () => {
    const keys = new Set(Object.keys(en));
    const expected = [
      ...upgradeStatuses.map((s) => `upgrade.status.${s}`),
      ...planStatuses.map((s) => `plans.status.${s}`),
      ...failureReasons.map((r) => `failure.${r}`),
      ...waitingReasons.map((r) => `upgrade.wait.${r}`),
      ...upgradeEventTypes.map((e) => `log.event.${e}`),
    ];
    const missing = expected.filter((key) => !keys.has(key));
    assert.deepEqual(missing, [], 'keys missing from the catalogue');
  });

  it('finds every literal key the source uses in the catalogue', () => {
    const keys = new Set(Object.keys(en));
    const missing: string[] = [];
    for (const path of files(source)) {
      if (path.includes(`${join('src', 'i18n')}`)) continue;
      const text = readFileSync(path, 'utf8');
      for (const match of text.matchAll(/\bt\(\s*'([a-zA-Z0-9_.]+)'/g)) {
        if (!keys.has(match[1]!)) missing.push(`${path.slice(source.length + 1)}: ${match[1]}`);
      }
    }
    assert.deepEqual(missing, []);
  });

  it('has no English label left in the Chinese catalogue', () => {
    const untranslated = Object.entries(zhCN)
      .filter(([key, text]) => !sameInBoth.has(key) && text === en[key as keyof typeof en])
      .filter(([, text]) => /[a-z]{3}/.test(text) && !/[\u4e00-\u9fff]/.test(text))
      .map(([key]) => key);
    assert.deepEqual(untranslated, []);
  });
});

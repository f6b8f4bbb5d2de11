// The fuzz suite inside `npm test` (SQLite pass), short: UPDRAFT_FUZZ_SECONDS (60) over every
// target. `npm run fuzz -- --minutes N` runs it longer. Its counts go to the test's output.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runFuzz } from './run-fuzz.ts';

const skip = process.env['UPDRAFT_TEST_DB'] === 'postgres' && 'the fuzz suite runs in the SQLite pass only';

test('fuzz: no 5xx, no crash, every refusal coded, refused input changes nothing, memory bounded', {
  skip,
  timeout: 300_000,
}, async (t) => {
  const seconds = Number(process.env['UPDRAFT_FUZZ_SECONDS'] ?? '60');
  const report = await runFuzz(seconds * 1000);
  t.diagnostic(`FUZZ ${report.lines().join(' ')}`);
  assert.deepEqual(report.findings, [], 'findings');
});

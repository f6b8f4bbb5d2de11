// Fuzzing in CI: each libFuzzer target (ASan + UBSan) for UPDRAFT_FUZZ_SECONDS (30) on the
// committed corpus; no crash, leak, sanitizer report or timeout. The counts go to the test output.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runFuzzer } from '../fuzz/run-fuzzers.ts';

const seconds = Number(process.env['UPDRAFT_FUZZ_SECONDS'] ?? 30);

for (const target of ['patch', 'protocol'] as const) {
  test(`fuzz-${target} runs ${seconds} s on mutated inputs without a finding`, (t) => {
    const run = runFuzzer(target, seconds);
    t.diagnostic(
      `fuzz-${target}: ${run.execs} execs in ${run.seconds.toFixed(1)} s, ${run.newUnits} new units, committed corpus ${run.corpusFiles} files`,
    );
    assert.equal(run.crashed, false, run.output);
    assert.ok(run.execs > 1000, `only ${run.execs} executions:\n${run.output}`);
  });
}

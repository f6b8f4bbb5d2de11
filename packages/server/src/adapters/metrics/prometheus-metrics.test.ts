// The exposition spells a NaN sample "NaN" (prom-client writes "Nan", which a strict parser such
// as OpenMetrics' refuses), and the test parser reads every line of it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePrometheusText } from '../../test-support/prometheus-text.ts';
import { createPrometheusMetrics } from './prometheus-metrics.ts';

describe('Prometheus metrics', () => {
  it('writes a NaN sample as NaN', async () => {
    const metrics = createPrometheusMetrics();
    metrics.observeSchedulerTick(Number.NaN, 0.01);
    const { body } = await metrics.render();
    assert.doesNotMatch(body, / Nan$/m);
    const lag = parsePrometheusText(body).samples.find((s) => s.name === 'updraft_scheduler_lag_seconds');
    assert.ok(lag, body);
    assert.ok(Number.isNaN(lag.value));
  });
});

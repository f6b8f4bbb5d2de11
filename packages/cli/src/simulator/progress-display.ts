// What the simulator shows: one line redrawn on a terminal with the devices counted by state,
// and at the end a summary (counts by outcome and by behaviour, download bytes, time) as a table
// or, with --json, as one JSON document for scripts.
import type { LinkCounters } from './link-faults.ts';
import { type Subject, subjectStates } from './simulated-device.ts';

export const outcomes = [
  'success',
  'failed-download',
  'failed-check',
  'failed-write',
  'failed-other',
  'rejected',
  'deferred',
  'unfinished',
] as const;
export type Outcome = (typeof outcomes)[number];

export interface Summary {
  devices: number;
  seconds: number;
  outcomes: Record<Outcome, number>;
  /** Outcomes per behaviour, only the outcomes that occurred. */
  behaviours: Record<string, Partial<Record<Outcome, number>>>;
  downloadBytes: number;
  resumedDownloads: number;
  /** How the run ended: every device settled, the timeout passed, or the operator interrupted. */
  ending: 'settled' | 'timeout' | 'interrupted';
  /** The plan's own counts by upgrade status at the end, when the run watched a plan. */
  plan?: { id: number; status: string; counts: Record<string, number> };
  /** Why the plan's counts could not be read at the end (the server is down). */
  planError?: string;
  /** The fleet file, and whether this run reused its devices rather than importing them. */
  fleet?: { file: string; reused: boolean };
}

export function outcomeOf(s: Subject): Outcome {
  switch (s.state) {
    case 'success':
    case 'rejected':
    case 'deferred':
      return s.state;
    case 'failed':
      return `failed-${s.failure ?? 'other'}`;
    default:
      return 'unfinished';
  }
}

const mb = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MB`;

export function progressLine(subjects: readonly Subject[], counters: LinkCounters, ms: number): string {
  const counts = new Map<string, number>();
  for (const s of subjects) counts.set(s.state, (counts.get(s.state) ?? 0) + 1);
  const parts = subjectStates
    .filter((state) => counts.has(state))
    .map((state) => `${state} ${counts.get(state)}`);
  return `${(ms / 1000).toFixed(0).padStart(4)}s  ${parts.join('  ')}  ↓ ${mb(counters.downloadBytes)}`;
}

export function summarize(
  subjects: readonly Subject[],
  counters: LinkCounters,
  ms: number,
  ending: Summary['ending'] = 'settled',
): Summary {
  const summary: Summary = {
    devices: subjects.length,
    seconds: Math.round(ms) / 1000,
    ending,
    outcomes: Object.fromEntries(outcomes.map((o) => [o, 0])) as Record<Outcome, number>,
    behaviours: {},
    downloadBytes: counters.downloadBytes,
    resumedDownloads: counters.resumedRequests,
  };
  for (const s of subjects) {
    const outcome = outcomeOf(s);
    summary.outcomes[outcome]++;
    const row = summary.behaviours[s.behaviour] ?? {};
    row[outcome] = (row[outcome] ?? 0) + 1;
    summary.behaviours[s.behaviour] = row;
  }
  return summary;
}

/** The summary as aligned text: outcomes, then behaviours against outcomes. */
export function formatSummary(summary: Summary): string {
  const lines: string[] = [];
  const table = (rows: string[][]) => {
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    for (const r of rows)
      lines.push(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '));
  };
  const seen = outcomes.filter((o) => summary.outcomes[o] > 0);
  table([['outcome', 'devices'], ...seen.map((o) => [o, String(summary.outcomes[o])])]);
  lines.push('');
  table([
    ['behaviour', ...seen],
    ...Object.entries(summary.behaviours).map(([b, row]) => [b, ...seen.map((o) => String(row[o] ?? 0))]),
  ]);
  lines.push('');
  lines.push(
    `${summary.devices} devices in ${summary.seconds.toFixed(1)} s; downloaded ${mb(summary.downloadBytes)}` +
      ` (${summary.resumedDownloads} resumed downloads)`,
  );
  if (summary.ending !== 'settled') {
    const why = summary.ending === 'timeout' ? 'the timeout passed' : 'interrupted';
    lines.push(`stopped early (${why}): ${summary.outcomes.unfinished} devices unfinished`);
  }
  if (summary.fleet) {
    lines.push(`fleet ${summary.fleet.file}: ${summary.fleet.reused ? 'reused' : 'imported and written'}`);
  }
  if (summary.planError) lines.push(`plan: its counts could not be read (${summary.planError})`);
  if (summary.plan) {
    const counts = Object.entries(summary.plan.counts)
      .filter(([, n]) => n > 0)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ');
    lines.push(`plan ${summary.plan.id}: ${summary.plan.status}; ${counts || 'no device upgrades'}`);
  }
  return `${lines.join('\n')}\n`;
}

// `npm run fuzz [-- --minutes N] [--seed S]`: the fuzz suite, bounded in time (2 minutes by
// default). Prints its counts as `FUZZ key=value …` and every finding; exits 1 on a finding.
import { parseArgs } from 'node:util';
import { runFuzz } from './run-fuzz.ts';

const { values } = parseArgs({ options: { minutes: { type: 'string' }, seed: { type: 'string' } } });
const minutes = Number(values.minutes ?? '2');
if (!(minutes > 0)) throw new Error('--minutes takes a positive number');
const report = await runFuzz(minutes * 60_000, values.seed === undefined ? undefined : Number(values.seed));
for (const finding of report.findings)
  process.stdout.write(`finding ${finding.target}: ${finding.rule}: ${finding.input}\n`);
process.stdout.write(`FUZZ ${report.lines().join(' ')}\n`);
process.exit(report.findings.length > 0 ? 1 : 0);

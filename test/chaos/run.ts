// `npm run chaos -- [--devices N] [--kills K] [--db sqlite|postgres] [--instances 1|2|3] [--s3] [--seed S]
// [--kib K] [--timeout S] [--push-period S]`: the crash campaign of campaign.ts. Ends with one line
// `RESULT chaos devices=… kills=… wrong=… stuck=… duplicated=… cap_exceeded=… lost=… seconds=…`;
// exits 1 when any of them (or the counters) is wrong.
import { parseArgs } from 'node:util';
import { resultLine, runCampaign } from './campaign.ts';

const { values } = parseArgs({
  options: {
    devices: { type: 'string', default: '300' },
    kills: { type: 'string', default: '3' },
    db: { type: 'string', default: 'sqlite' },
    instances: { type: 'string', default: '1' },
    s3: { type: 'boolean', default: false },
    seed: { type: 'string', default: '1' },
    kib: { type: 'string', default: '256' },
    timeout: { type: 'string', default: '600' },
    'push-period': { type: 'string', default: '60' },
  },
});
const db = values.db === 'postgres' ? 'postgres' : 'sqlite';
const result = await runCampaign({
  devices: Number(values.devices),
  kills: Number(values.kills),
  db,
  instances: values.instances === '3' ? 3 : values.instances === '2' ? 2 : 1,
  s3: values.s3,
  seed: Number(values.seed),
  kib: Number(values.kib),
  timeoutSeconds: Number(values.timeout),
  pushPeriodSeconds: Number(values['push-period']),
  log: (line) => console.log(line),
});
for (const line of result.details.slice(0, 30)) console.log(`  ${line}`);
console.log(
  `db=${db} instances=${values.instances}${values.s3 ? ` s3_reads=${result.s3Reads}` : ''} seed=${values.seed} cap=${result.cap} peak=${result.peak} counters_match=${result.countersMatch}`,
);
console.log(resultLine(result));
const bad =
  result.wrong + result.stuck + result.duplicated + result.capExceeded + result.lost > 0 ||
  !result.countersMatch;
process.exit(bad ? 1 : 0);

// `npm run chaos -- [--devices N] [--kills K] [--db sqlite|postgres] [--instances 1|2|3] [--s3] [--seed S]
// [--kib K] [--timeout S] [--push-period S] [--no-takeover] [--lease S] [--session-expiry S]`: the
// crash campaign of campaign.ts. With several instances its last kill is a takeover kill (kills.ts)
// unless --no-takeover; --lease and --session-expiry set the instances' UPDRAFT_LEASE_SECONDS
// (default 60) and UPDRAFT_MQTT_SESSION_EXPIRY (default 3600). Ends with one line
// `RESULT chaos devices=… kills=… wrong=… stuck=… duplicated=… cap_exceeded=… lost=… seconds=…`
// (then takeover_s=… moved_s=… complete_s=…, seconds from the takeover kill); exits 1 when any
// count (or the counters) is wrong, or no other instance took the lease over.
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
    takeover: { type: 'boolean', default: true },
    lease: { type: 'string' },
    'session-expiry': { type: 'string' },
  },
  allowNegative: true,
});
const instances = values.instances === '3' ? 3 : values.instances === '2' ? 2 : 1;
const takeover = values.takeover && instances > 1 && Number(values.kills) > 0;
const db = values.db === 'postgres' ? 'postgres' : 'sqlite';
const result = await runCampaign({
  devices: Number(values.devices),
  kills: Number(values.kills),
  db,
  instances,
  takeover,
  ...(values.lease && { leaseSeconds: Number(values.lease) }),
  ...(values['session-expiry'] && { sessionExpirySeconds: Number(values['session-expiry']) }),
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
  !result.countersMatch ||
  (takeover && !result.takeover);
process.exit(bad ? 1 : 0);

// The crash campaign (test/chaos/campaign.ts, `npm run chaos`) at a size bounded for every test
// run: SQLite with one instance in the SQLite pass; PostgreSQL with one instance, with two on
// Mosquitto, and with three on Mosquitto and S3 (issue 21's topology: each instance reads the
// firmware from the bucket), in the PostgreSQL pass; the victim of each kill is a seeded instance. Each fails on any wrong, stuck, lost or
// duplicated device, on the concurrency cap exceeded, or on counters that differ from the rows.
// The plan's push period is 15 s (UPDRAFT_PLAN_MIN_PERIOD_SECONDS, a setting for tests) instead
// of production's least 60 s: a push lost to a crash after its commit comes again that much
// sooner, and nothing else changes. The two-instance run's last kill is a takeover kill
// (chaos/kills.ts): the instance holding the plan's lease, killed while it holds it and not started
// again; another instance must take the lease over once it expires (UPDRAFT_LEASE_SECONDS 10 here)
// and finish the plan. How long that took is a diagnostic (takeover_s), never a timed assertion:
// this machine is shared. Its broker sessions expire after 15 s: until then Mosquitto hands the
// dead instance's session its share of the devices' messages (re-pushes heal those, slowly).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { brokerSkipReason } from '../packages/server/src/test-support/test-broker.ts';
import { skipReason, testDatabaseKind } from '../packages/server/src/test-support/test-database.ts';
import { type CampaignOptions, resultLine, runCampaign } from './chaos/campaign.ts';

const skip = (await skipReason()) ?? false;
const runs: Pick<
  CampaignOptions,
  'db' | 'instances' | 's3' | 'takeover' | 'leaseSeconds' | 'sessionExpirySeconds'
>[] =
  testDatabaseKind === 'postgres'
    ? [
        { db: 'postgres', instances: 1 },
        { db: 'postgres', instances: 2, takeover: true, leaseSeconds: 10, sessionExpirySeconds: 15 },
        { db: 'postgres', instances: 3, s3: true },
      ]
    : [{ db: 'sqlite', instances: 1 }];
const seed = Number(process.env['UPDRAFT_CHAOS_SEED'] ?? 14);

describe('crash campaign (SIGKILL mid-rollout)', { skip }, () => {
  for (const run of runs) {
    it(`${run.db}, ${run.instances} instance(s)${run.s3 ? ' on S3' : ''}: 120 devices, 3 kills${run.takeover ? ' (the last of the lease holder, for good)' : ''}, nothing lost, stuck or doubled`, async (t) => {
      if (run.instances > 1) {
        const why = await brokerSkipReason();
        if (why) return t.skip(why);
      }
      const result = await runCampaign({
        ...run,
        devices: 120,
        kills: 3,
        seed,
        kib: 64,
        pushPeriodSeconds: 15,
        timeoutSeconds: 240,
        log: (line) => t.diagnostic(line),
      });
      t.diagnostic(resultLine(result));
      if (run.s3) assert.ok((result.s3Reads ?? 0) > 0, 'the devices downloaded from the bucket');
      if (run.takeover) {
        assert.ok(result.takeover, 'another instance took the lease of the killed one over');
        assert.ok(result.takeover.completeSeconds !== undefined, 'the plan completed after the takeover');
      }
      assert.deepEqual(
        {
          wrong: result.wrong,
          stuck: result.stuck,
          duplicated: result.duplicated,
          lost: result.lost,
          capExceeded: result.capExceeded,
          countersMatch: result.countersMatch,
        },
        { wrong: 0, stuck: 0, duplicated: 0, lost: 0, capExceeded: 0, countersMatch: true },
        result.details.slice(0, 20).join('\n'),
      );
    });
  }
});

// The crash campaign's kills (campaign.ts). Each kills a seeded instance and starts it again,
// except a takeover kill (issue 21), the last one when asked: the instance that holds the plan's
// housekeeping lease is killed while it holds it and is not started again, so the rollout waits
// until the lease expires and another instance claims it (plan-store.ts claimPlanLease). To kill
// it while it holds the lease, the holder is frozen (SIGSTOP) the moment the lease row names it,
// the row is read again, and it is killed only if it still holds the lease (else thawed, and the
// next try).
import type { CampaignOptions, CampaignResult } from './campaign.ts';
import { type Instance, sleep } from './instances.ts';
import type { Monitor } from './monitor.ts';

/**
 * The kills: each once a seeded share (0 to 85 %) of the devices has ended and some upgrade is
 * under way (pushed or upgrading: devices end in bursts, a wave at a time), plus up to 300 ms, so
 * that every kill finds the rollout under way however fast or loaded the machine is; the victim
 * comes back after a seeded pause of 0.2 to 2 s (but after a takeover kill).
 */
export async function killAtSeededPoints(
  options: CampaignOptions,
  servers: Instance[],
  ports: readonly number[],
  monitor: Monitor,
  next: () => number,
  deadline: number,
): Promise<Takeover | undefined> {
  const takeover = options.takeover === true && servers.length > 1 && options.kills > 0;
  // A takeover kill comes last, at 40 to 60 % ended: the plan has devices left to push then (its
  // cap is a quarter of them), so the rollout moving again is seen; the others come before it.
  const points = Array.from({ length: options.kills - (takeover ? 1 : 0) }, () =>
    takeover ? next() * 0.4 : next() * 0.85,
  ).sort((a, b) => a - b);
  if (takeover) points.push(0.4 + next() * 0.2);
  for (const [k, point] of points.entries()) {
    while ((await monitor.ended()) < point * options.devices && Date.now() < deadline) await sleep(25);
    if (takeover && k === points.length - 1) {
      const ended = await monitor.ended();
      const taken = await killLeaseHolder(servers, ports, monitor, deadline);
      options.log(
        `kill ${k + 1}/${options.kills}: ${taken?.victim.name ?? 'nobody'} holding the plan's lease, not started again, at ${ended} of ${options.devices} ended (${await monitor.statuses()})`,
      );
      return taken;
    }
    while ((await monitor.busy()) === 0 && (await monitor.live()) > 0 && Date.now() < deadline)
      await sleep(10);
    await sleep(next() * 300);
    const victim = servers[Math.floor(next() * servers.length)]!;
    const ended = await monitor.ended().catch(() => -1);
    await victim.kill();
    options.log(
      `kill ${k + 1}/${options.kills}: ${victim.name} at ${ended} of ${options.devices} ended (${await monitor.statuses().catch(() => '?')})`,
    );
    await sleep(200 + next() * 1800);
    await victim.start();
  }
}

export interface TakeoverTimes {
  /** The victim, as the lease names it. */
  owner: string;
  /** From the kill until another instance held the lease, s. */
  takeoverSeconds: number;
  /** Until the plan pushed a device again, s (undefined: nothing was left to push). */
  movedSeconds?: number;
}

export interface Takeover {
  victim: Instance;
  killedAt: number;
  /** Resolves once the lease changed hands and the rollout moved (or the deadline passed). */
  measured: Promise<TakeoverTimes | undefined>;
}

/** Instances name their lease `scheduler-<host>-<http port>` (app.ts). */
const holderOf = (owner: string, servers: readonly Instance[], ports: readonly number[]) =>
  servers[ports.findIndex((port) => owner.endsWith(`-${port}`))];

export async function killLeaseHolder(
  servers: readonly Instance[],
  ports: readonly number[],
  monitor: Monitor,
  deadline: number,
): Promise<Takeover | undefined> {
  while (Date.now() < deadline) {
    const { leaseOwner, leaseUntil } = await monitor.plan();
    const victim = leaseOwner ? holderOf(leaseOwner, servers, ports) : undefined;
    if (!victim || !leaseOwner || (leaseUntil ?? 0) <= Date.now()) {
      await sleep(2);
      continue;
    }
    victim.signal('SIGSTOP');
    const again = await monitor.plan();
    if (again.leaseOwner !== leaseOwner || again.leaseUntil !== leaseUntil) {
      victim.signal('SIGCONT');
      continue;
    }
    const dispatched = await monitor.dispatched();
    await victim.kill();
    const killedAt = Date.now();
    return { victim, killedAt, measured: measure(monitor, leaseOwner, killedAt, dispatched, deadline) };
  }
  return undefined;
}

async function measure(
  monitor: Monitor,
  owner: string,
  killedAt: number,
  dispatchedAtKill: number,
  deadline: number,
): Promise<TakeoverTimes | undefined> {
  const since = () => (Date.now() - killedAt) / 1000;
  let takeoverSeconds: number | undefined;
  while (takeoverSeconds === undefined && Date.now() < deadline) {
    // Only the owner releases its lease: any other name (or none) means another instance took it.
    if ((await monitor.plan()).leaseOwner !== owner) takeoverSeconds = since();
    else await sleep(25);
  }
  if (takeoverSeconds === undefined) return undefined;
  let movedSeconds: number | undefined;
  while (movedSeconds === undefined && Date.now() < deadline) {
    if ((await monitor.dispatched()) > dispatchedAtKill) movedSeconds = since();
    else if ((await monitor.live()) === 0) break;
    else await sleep(25);
  }
  return { owner, takeoverSeconds, ...(movedSeconds !== undefined && { movedSeconds }) };
}

/** The takeover's times, and when the plan completed (after the campaign's devices all ended). */
export async function takeoverTimes(
  takeover: Takeover,
  monitor: Monitor,
  deadline: number,
  log: (line: string) => void,
): Promise<CampaignResult['takeover']> {
  const times = await takeover.measured;
  if (!times) return undefined;
  while ((await monitor.plan()).status !== 'completed' && Date.now() < deadline) await sleep(25);
  const completed = (await monitor.plan()).status === 'completed';
  const completeSeconds = completed ? (Date.now() - takeover.killedAt) / 1000 : undefined;
  log(
    `takeover: ${times.owner}'s lease held by another instance ${times.takeoverSeconds.toFixed(1)} s after the kill, a device pushed again at ${times.movedSeconds?.toFixed(1) ?? '-'} s, the plan completed at ${completeSeconds?.toFixed(1) ?? '-'} s`,
  );
  return {
    takeoverSeconds: times.takeoverSeconds,
    ...(times.movedSeconds !== undefined && { movedSeconds: times.movedSeconds }),
    ...(completeSeconds !== undefined && { completeSeconds }),
  };
}

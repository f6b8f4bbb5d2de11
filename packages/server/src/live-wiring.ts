// The event stream's sources that have no transaction of their own to write in: delta jobs,
// whose store is wrapped here (part of the composition root, app.ts). Plans and device upgrades
// write their live events in the transaction of the change (kysely-plan-store, kysely-upgrade-store).
import type { Clock } from './adapters/clock/clock.ts';
import type { DeltaJobStore } from './modules/deltas/delta-job-store.ts';
import type { LiveEventStore } from './modules/live/live-event-store.ts';

export function withDeltaJobEvents(store: DeltaJobStore, live: LiveEventStore, clock: Clock): DeltaJobStore {
  const changed = async (jobId: number, status: string, progress?: number) => {
    await live.append([
      {
        at: clock.now(),
        kind: 'delta_job',
        planId: null,
        data: { jobId, status, ...(progress !== undefined && { progress }) },
      },
    ]);
  };
  return {
    ...store,
    async insertJob(job) {
      const created = await store.insertJob(job);
      await changed(created.id, created.status);
      return created;
    },
    async transition(id, from, to, patch) {
      const moved = await store.transition(id, from, to, patch);
      if (moved) await changed(id, to, patch?.progress);
      return moved;
    },
    async claimNext(owner, now, leaseUntil) {
      const job = await store.claimNext(owner, now, leaseUntil);
      if (job) await changed(job.id, job.status);
      return job;
    },
    async heartbeat(id, owner, progress, leaseUntil) {
      const alive = await store.heartbeat(id, owner, progress, leaseUntil);
      if (alive) await changed(id, 'running', progress);
      return alive;
    },
    async requeueExpired(now) {
      const ids = await store.requeueExpired(now);
      for (const id of ids) await changed(id, 'queued');
      return ids;
    },
  };
}

// The audit log: every management change answered with success, recorded centrally by the HTTP
// transport (transports/http/audit-hook.ts), listed and exported by admins, kept for the
// configured number of days (UPDRAFT_AUDIT_RETENTION_DAYS).
import type { Clock } from '../../adapters/clock/clock.ts';
import type { AuditEntry, AuditFilter, AuditStore, NewAuditEntry } from './audit-store.ts';

export function createAuditService({
  store,
  clock,
  retentionDays,
}: {
  store: AuditStore;
  clock: Clock;
  retentionDays: number;
}) {
  let nextPurge = 0;
  return {
    record: (entry: Omit<NewAuditEntry, 'at'>) => store.insert({ ...entry, at: clock.now() }),
    list: (filter: AuditFilter, page: { after?: number | undefined; limit: number }) =>
      store.list(filter, page),
    /** Every entry the filter selects, newest first, a page at a time (CSV export). */
    async *all(filter: AuditFilter): AsyncGenerator<AuditEntry> {
      let after: number | undefined;
      do {
        const page = await store.list(filter, { after, limit: 500 });
        yield* page.items;
        after = page.next ?? undefined;
      } while (after !== undefined);
    },
    /** Deletes entries past the retention, at most once an hour per instance (a scheduler step). */
    async purgeIfDue(): Promise<number> {
      const now = clock.now();
      if (now < nextPurge) return 0;
      nextPurge = now + 3600_000;
      return store.deleteBefore(now - retentionDays * 24 * 3600_000);
    },
  };
}

export type AuditService = ReturnType<typeof createAuditService>;

// A Notifier that keeps every notice in memory: for tests and the plans benchmark.
import type { Notifier, UpgradeNotice } from '../modules/plans/notifier.ts';

export function createRecordingNotifier(): Notifier & {
  notified: UpgradeNotice[];
  withdrawn: UpgradeNotice[];
} {
  const notified: UpgradeNotice[] = [];
  const withdrawn: UpgradeNotice[] = [];
  return {
    notified,
    withdrawn,
    async notify(batch) {
      for (const notice of batch) notified.push(notice);
    },
    async withdraw(batch) {
      for (const notice of batch) withdrawn.push(notice);
    },
  };
}

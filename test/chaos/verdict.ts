// The crash campaign's verdict: the database held against what the devices know.
//   wrong       a device runs the new version and its record is not success, or it does not and
//               its record is not a failure with a reason that the device saw
//   stuck       a record that never ended (or no record)
//   duplicated  more than one record for a device, or more than one install
//   lost        a device that was to succeed (only every twentieth fails its install by design)
//               and does not run the new version: the restarts cost it its upgrade
import type { UpgradeRow } from './monitor.ts';

/** What one device knows (devices.ts). */
export interface DeviceTruth {
  name: string;
  /** The version it runs at the end. */
  version: string;
  installs: number;
  /** It saw its upgrade fail (the SDK's failed event). */
  failed: boolean;
  /** Its install fails by design. */
  failsByDesign: boolean;
  /** The first failure it saw, its causes joined. */
  error?: string;
}

export interface Verdict {
  wrong: number;
  stuck: number;
  duplicated: number;
  lost: number;
  countersMatch: boolean;
  /** Failure reasons of the records, with their counts. */
  reasons: Record<string, number>;
  details: string[];
}

export function judge(
  truth: readonly DeviceTruth[],
  rows: readonly UpgradeRow[],
  counts: Record<string, number>,
  targetVersion: string,
): Verdict {
  const byName = new Map<string, UpgradeRow[]>();
  for (const r of rows) byName.set(r.name, [...(byName.get(r.name) ?? []), r]);
  const details: string[] = [];
  let wrong = 0;
  let stuck = 0;
  let duplicated = 0;
  let lost = 0;
  for (const device of truth) {
    const mine = byName.get(device.name) ?? [];
    const installed = device.version === targetVersion;
    if (!installed && !device.failsByDesign) {
      lost++;
      details.push(`${device.name}: lost its upgrade (${device.error ?? 'no failure seen'})`);
    }
    if (mine.length !== 1 || device.installs > 1) {
      duplicated++;
      details.push(`${device.name}: ${mine.length} records, ${device.installs} installs`);
    }
    const row = mine[0];
    if (!row || !['success', 'failure', 'cancelled'].includes(row.status)) {
      stuck++;
      details.push(`${device.name}: ${row?.status ?? 'no record'} (device runs ${device.version})`);
      continue;
    }
    const ok = installed
      ? row.status === 'success'
      : device.failed && row.status === 'failure' && row.failure_reason !== null;
    if (!ok) {
      wrong++;
      const reason = row.failure_reason ? ` (${row.failure_reason})` : '';
      details.push(
        `${device.name}: ${row.status}${reason}, device runs ${device.version}${device.failed ? ', saw a failure' : ''}`,
      );
    }
  }
  const reasons: Record<string, number> = {};
  const fromRows: Record<string, number> = {};
  for (const r of rows) {
    fromRows[r.status] = (fromRows[r.status] ?? 0) + 1;
    if (r.failure_reason) reasons[r.failure_reason] = (reasons[r.failure_reason] ?? 0) + 1;
  }
  const countersMatch = Object.entries(counts).every(([status, n]) => (fromRows[status] ?? 0) === n);
  if (!countersMatch) details.push(`counters ${JSON.stringify(counts)} rows ${JSON.stringify(fromRows)}`);
  return { wrong, stuck, duplicated, lost, countersMatch, reasons, details };
}

// Live events: plan, device-upgrade and delta-job changes, in the order of their ids, for the
// event stream (GET /api/v1/events). Each is a hint of what changed; readers fetch the rest.

export type LiveEventKind = 'plan' | 'device_upgrade' | 'delta_job';

export interface LiveEvent {
  id: number;
  at: number;
  kind: LiveEventKind;
  planId: number | null;
  data: Record<string, unknown>;
}

export type NewLiveEvent = Omit<LiveEvent, 'id'>;

/** At most this many upgrade ids ride in a device-upgrade event; its `count` says how many changed. */
export const maxIdsPerEvent = 100;

export interface LiveEventStore {
  append(events: readonly NewLiveEvent[]): Promise<void>;
  /** Events with ids above `after`, in id order, at most `limit`. */
  after(after: number, limit: number): Promise<LiveEvent[]>;
  /** The highest id stored, 0 when none. */
  latestId(): Promise<number>;
  /** The lowest id stored, null when none. */
  oldestId(): Promise<number | null>;
  deleteBefore(before: number): Promise<number>;
}

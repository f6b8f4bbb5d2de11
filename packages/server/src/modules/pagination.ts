/** Keyset pagination: stores return at most `limit` items with ids greater than `after`. */
export interface PageRequest {
  after?: number | undefined;
  limit: number;
}

export interface Page<T> {
  items: T[];
  /** The id to continue after, or null when this was the last page. */
  next: number | null;
}

export function toPage<T extends { id: number }>(rows: T[], limit: number): Page<T> {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, next: rows.length > limit && last ? last.id : null };
}

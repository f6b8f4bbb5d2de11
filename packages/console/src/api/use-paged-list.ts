// A cursor-paged list ({items, nextCursor}) with "load more"; reloads when `key` changes.
import { useCallback, useEffect, useRef, useState } from 'react';
import { useNotify } from '../components/use-notify.ts';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface PagedList<T> {
  items: T[];
  loading: boolean;
  /** The last load's failure (null once a load succeeds): a list shows it instead of "nothing here". */
  error: unknown;
  hasMore: boolean;
  loadMore(): void;
  reload(): void;
}

export function usePagedList<T>(
  key: string,
  fetchPage: (cursor: string | undefined) => Promise<Page<T>>,
): PagedList<T> {
  const notify = useNotify();
  const fetcher = useRef(fetchPage);
  fetcher.current = fetchPage;
  const [items, setItems] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [generation, setGeneration] = useState(0);
  const current = useRef(0);

  const load = useCallback(
    async (from: string | undefined, append: boolean) => {
      const ticket = ++current.current;
      setLoading(true);
      try {
        const page = await fetcher.current(from);
        if (ticket !== current.current) return;
        setItems((previous) => (append ? [...previous, ...page.items] : page.items));
        setCursor(page.nextCursor);
        setError(null);
      } catch (failure) {
        if (ticket === current.current) {
          setError(failure);
          notify.error(failure);
        }
      } finally {
        if (ticket === current.current) setLoading(false);
      }
    },
    [notify],
  );

  // biome-ignore lint/correctness/useExhaustiveDependencies: key and generation are the reload triggers
  useEffect(() => {
    void load(undefined, false);
  }, [key, generation, load]);

  return {
    items,
    loading,
    error,
    hasMore: cursor !== null,
    loadMore: () => {
      if (cursor) void load(cursor, true);
    },
    reload: () => setGeneration((g) => g + 1),
  };
}

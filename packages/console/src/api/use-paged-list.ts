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
      } catch (error) {
        if (ticket === current.current) notify.error(error);
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
    hasMore: cursor !== null,
    loadMore: () => {
      if (cursor) void load(cursor, true);
    },
    reload: () => setGeneration((g) => g + 1),
  };
}

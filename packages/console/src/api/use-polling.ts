// Loads something now and again every `intervalMs` while `live`, one request at a time (the next
// waits for the previous answer). The server has no event stream, so live pages poll.
import { useCallback, useEffect, useRef, useState } from 'react';

export interface Polled<T> {
  data: T | null;
  error: unknown;
  /** Loads again now (after an action), whatever `live` is. */
  refresh(): void;
}

export function usePolling<T>(
  key: string,
  load: () => Promise<T>,
  live: boolean,
  intervalMs = 2000,
): Polled<T> {
  const loader = useRef(load);
  loader.current = load;
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [generation, setGeneration] = useState(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: key and generation are the reload triggers
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    async function round() {
      try {
        const next = await loader.current();
        if (stopped) return;
        setData(next);
        setError(null);
      } catch (failure) {
        if (!stopped) setError(failure);
      }
      if (!stopped && live) timer = setTimeout(() => void round(), intervalMs);
    }
    void round();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [key, live, intervalMs, generation]);

  return { data, error, refresh: useCallback(() => setGeneration((g) => g + 1), []) };
}

// Loads something now and keeps it current, one request at a time (a reload asked for while one
// runs happens once after it). A page that names the live events it follows (`follow`) reloads on
// each of them while the event stream is open, and polls every `intervalMs` while `live` only when
// the stream is not open; a page that follows nothing polls while `live`.
import { useCallback, useEffect, useRef, useState } from 'react';
import { isPollingEnabled, type LiveEvent, useLiveEvents } from './live-events.tsx';

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
  follow?: (event: LiveEvent) => boolean,
): Polled<T> {
  const loader = useRef(load);
  loader.current = load;
  const matches = useRef(follow);
  matches.current = follow;
  const following = follow !== undefined;
  const stream = useLiveEvents();
  const streaming = following && stream.state === 'open';
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [generation, setGeneration] = useState(0);
  const reload = useRef(() => {});

  // biome-ignore lint/correctness/useExhaustiveDependencies: key and generation are the reload triggers
  useEffect(() => {
    let stopped = false;
    let running = false;
    let again = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    async function round() {
      if (running) {
        again = true;
        return;
      }
      running = true;
      clearTimeout(timer);
      try {
        const next = await loader.current();
        if (!stopped) {
          setData(next);
          setError(null);
        }
      } catch (failure) {
        if (!stopped) setError(failure);
      } finally {
        running = false;
      }
      if (stopped) return;
      if (again) {
        again = false;
        void round();
      } else if (live && !streaming && isPollingEnabled()) {
        timer = setTimeout(() => void round(), intervalMs);
      }
    }
    reload.current = () => void round();
    // Also when the stream opens (what happened before it) or closes (polling takes over).
    void round();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [key, live, streaming, intervalMs, generation]);

  const { subscribe } = stream;
  useEffect(() => {
    if (!following) return;
    return subscribe((event) => {
      if (event.kind === 'reset' || matches.current?.(event)) reload.current();
    });
  }, [following, subscribe]);

  return { data, error, refresh: useCallback(() => setGeneration((g) => g + 1), []) };
}

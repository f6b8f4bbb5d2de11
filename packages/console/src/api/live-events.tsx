// The live event stream (GET /api/v1/events, ADR 0017): one EventSource for the signed-in console.
// The session cookie authenticates it like any GET. The browser reconnects by itself and sends
// Last-Event-ID; when the server refuses the stream (the browser then gives up), a new one is
// opened after a while with the last id seen as `lastEventId`. While the stream is not open,
// pages poll as before (use-polling.ts). Events are hints: a page reloads what it shows.
import {
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
} from 'react';

export type LiveKind = 'plan' | 'device_upgrade' | 'delta_job';

/** An event of the stream, or `reset`: events were missed and are gone, reload everything. */
export type LiveEvent =
  | { kind: 'plan'; data: { planId: number; from?: string; to?: string; action?: string } }
  | { kind: 'device_upgrade'; data: { planId: number; upgradeIds?: number[]; count?: number } }
  | { kind: 'delta_job'; data: { jobId: number; status?: string; progress?: number } }
  | { kind: 'reset' };

export type StreamState = 'connecting' | 'open' | 'down';

interface LiveEvents {
  state: StreamState;
  /** Calls `listener` with every event until the returned function is called. */
  subscribe(listener: (event: LiveEvent) => void): () => void;
}

const kinds: readonly LiveKind[] = ['plan', 'device_upgrade', 'delta_job'];
/** How long after the server refused the stream a new one is tried. */
const reopenMs = 15_000;

const LiveEventsContext = createContext<LiveEvents>({
  state: 'down',
  subscribe: () => () => {},
});

export function LiveEventsProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<StreamState>('connecting');
  const listeners = useRef(new Set<(event: LiveEvent) => void>());

  useEffect(() => {
    let source: EventSource | undefined;
    let lastId = '';
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const emit = (event: LiveEvent) => {
      for (const listener of listeners.current) listener(event);
    };
    function open() {
      const query = lastId ? `?lastEventId=${encodeURIComponent(lastId)}` : '';
      const current = new EventSource(`/api/v1/events${query}`, { withCredentials: true });
      source = current;
      setState('connecting');
      current.addEventListener('ready', (message) => {
        if (message.lastEventId) lastId = message.lastEventId;
        setState('open');
      });
      current.addEventListener('reset', () => emit({ kind: 'reset' }));
      for (const kind of kinds) {
        current.addEventListener(kind, (message) => {
          if (message.lastEventId) lastId = message.lastEventId;
          try {
            emit({ kind, data: JSON.parse(message.data) } as LiveEvent);
          } catch {
            // Not JSON: not an event this console knows; the next reload shows the change anyway.
          }
        });
      }
      current.onerror = () => {
        setState('down');
        if (current.readyState !== EventSource.CLOSED || stopped) return;
        // The server answered something else than a stream (an error, a proxy's page).
        timer = setTimeout(open, reopenMs);
      };
    }
    open();
    return () => {
      stopped = true;
      clearTimeout(timer);
      source?.close();
    };
  }, []);

  const subscribe = useCallback((listener: (event: LiveEvent) => void) => {
    listeners.current.add(listener);
    return () => {
      listeners.current.delete(listener);
    };
  }, []);
  const value = useMemo(() => ({ state, subscribe }), [state, subscribe]);
  return <LiveEventsContext.Provider value={value}>{children}</LiveEventsContext.Provider>;
}

export function useLiveEvents(): LiveEvents {
  return useContext(LiveEventsContext);
}

/**
 * Whether pages poll while the stream is not open. `localStorage['updraft.polling'] = 'off'`
 * turns polling off (a browser test proves a page follows the stream alone).
 */
export function isPollingEnabled(): boolean {
  return localStorage.getItem('updraft.polling') !== 'off';
}

/** Matches the events of one plan (its transitions and its device upgrades). */
export const planEvents =
  (planId: number) =>
  (event: LiveEvent): boolean =>
    (event.kind === 'plan' || event.kind === 'device_upgrade') && event.data.planId === planId;

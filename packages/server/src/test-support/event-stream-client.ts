// A server-sent events client for tests: reads a text/event-stream over fetch and hands out its
// events (id, type, data) in order (WHATWG HTML, "Server-sent events": fields, blank-line ends).
export interface StreamEvent {
  id: string | undefined;
  event: string;
  data: string;
}

export interface EventStreamClient {
  status: number;
  /** The next event that `match` accepts (others are skipped); fails after `timeoutMs`. */
  next(match?: (event: StreamEvent) => boolean, timeoutMs?: number): Promise<StreamEvent>;
  /** The id of the last event read that carried one. */
  lastEventId(): string | undefined;
  close(): void;
}

export async function openEventStream(
  url: string,
  headers: Record<string, string>,
): Promise<EventStreamClient> {
  const controller = new AbortController();
  const answer = await fetch(url, {
    headers: { accept: 'text/event-stream', ...headers },
    signal: controller.signal,
  });
  const events: StreamEvent[] = [];
  const waiters: (() => void)[] = [];
  let lastId: string | undefined;
  let ended = false;
  const wake = () => {
    for (const waiter of waiters.splice(0)) waiter();
  };
  if (answer.body && answer.status === 200) {
    void (async () => {
      const decoder = new TextDecoder();
      let buffer = '';
      try {
        for await (const chunk of answer.body as unknown as AsyncIterable<Uint8Array>) {
          buffer += decoder.decode(chunk, { stream: true });
          let end = buffer.indexOf('\n\n');
          while (end >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            let id: string | undefined;
            let event = 'message';
            const data: string[] = [];
            for (const line of block.split('\n')) {
              if (line.startsWith(':')) continue;
              const colon = line.indexOf(':');
              const field = colon < 0 ? line : line.slice(0, colon);
              const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
              if (field === 'id') id = value;
              else if (field === 'event') event = value;
              else if (field === 'data') data.push(value);
            }
            if (id !== undefined) lastId = id;
            if (data.length > 0) events.push({ id, event, data: data.join('\n') });
            end = buffer.indexOf('\n\n');
          }
          wake();
        }
      } catch {
        // Aborted by close().
      }
      ended = true;
      wake();
    })();
  }
  return {
    status: answer.status,
    async next(match = () => true, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const index = events.findIndex(match);
        if (index >= 0) return events.splice(0, index + 1)[index]!;
        events.length = 0;
        if (ended) throw new Error('the event stream ended');
        const left = deadline - Date.now();
        if (left <= 0) throw new Error('no such event in time');
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    },
    lastEventId: () => lastId,
    close: () => controller.abort(),
  };
}

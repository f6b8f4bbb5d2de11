// The simulated devices' network: a fetch that counts download bytes and, per behaviour, breaks
// the link (`fail-download`), flips a byte on the way (`fail-check`), throttles it (`slow`) or
// drops the connection halfway once (`drop`, which the SDK resumes with Range). Only firmware
// downloads are touched; the device API's calls pass through.
import type { Behaviour, BehaviourSettings } from './behaviours.ts';

export interface LinkCounters {
  /** Firmware bytes that reached the devices. */
  downloadBytes: number;
  /** Download requests that asked for a range past 0 (a resume). */
  resumedRequests: number;
}

// The neutral download (HTTP devices), ThingsPanel's and Quectel's (what MQTT pushes carry), and
// the CoAP one of LwM2M Package URIs.
const isDownload = (url: string) =>
  /\/device\/v1\/((thingspanel|quectel)\/)?download\//.test(url) || /^coap:\/\/[^/]+\/fw\//.test(url);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `behaviourOf(url)` names the behaviour of the device whose download this is; `inner` fetches
 * (the transport's own download: LwM2M's CoAP block-wise).
 */
export function createFaultyFetch(
  behaviourOf: (url: string) => Behaviour,
  settings: BehaviourSettings,
  counters: LinkCounters,
  inner: typeof fetch = fetch,
): typeof fetch {
  const dropped = new Set<string>();
  return async (input, init) => {
    const url = String(input instanceof Request ? input.url : input);
    if (!isDownload(url)) return inner(input, init);
    const behaviour = behaviourOf(url);
    if (behaviour === 'fail-download') throw new TypeError('fetch failed (simulated: link down)');
    const range = new Headers(init?.headers).get('range');
    if (range && !/^bytes=0-/.test(range)) counters.resumedRequests++;
    const response = await inner(input, init);
    if (!response.body || response.status >= 300) return response;
    const length = Number(response.headers.get('content-length') ?? 0);
    const dropAt = behaviour === 'drop' && !dropped.has(url) ? Math.floor(length / 2) : -1;
    if (dropAt >= 0) dropped.add(url);
    const reader = response.body.getReader();
    let sent = 0;
    let flipped = false;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        // Erroring a stream discards what it still queues: the half goes out first, then the break.
        if (dropAt >= 0 && sent >= dropAt) {
          await reader.cancel();
          controller.error(new TypeError('terminated (simulated: connection dropped)'));
          return;
        }
        const { done, value } = await reader.read();
        if (done) {
          controller.close();
          return;
        }
        let chunk = value;
        if (dropAt >= 0 && sent + chunk.length >= dropAt) {
          chunk = chunk.subarray(0, dropAt - sent);
        }
        if (behaviour === 'fail-check' && !flipped && chunk.length > 0) {
          chunk = Uint8Array.from(chunk);
          chunk[chunk.length >> 1]! ^= 0xff;
          flipped = true;
        }
        if (behaviour === 'slow') await sleep((chunk.length * 1000) / settings.slowBytesPerSecond);
        sent += chunk.length;
        counters.downloadBytes += chunk.length;
        controller.enqueue(chunk);
      },
      cancel: (reason) => reader.cancel(reason),
    });
    return new Response(body, { status: response.status, headers: response.headers });
  };
}

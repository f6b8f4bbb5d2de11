// The LwM2M client's objects as the server reads, observes, writes and executes them
// (OMA-TS-LightweightM2M-V1_1 §6.3 and §6.4 over CoAP, answered with node-coap's Server on the
// link's socket): Device /3/0/3 firmware version and /3/0/9 battery, Connectivity Monitoring
// /4/0/2 signal, and Firmware Update (Object 5, protocols.md §4): State /5/0/3 and Update Result
// /5/0/5 (observable), PkgName and PkgVersion, protocols /5/0/8 (CoAP only) and delivery method
// /5/0/9 (pull only, or push only), the Package URI /5/0/1 write or the Package /5/0/0 write,
// Update /5/0/2 and Cancel /5/0/10, and Object 5 v1.1's Severity /5/0/11 and Maximum Defer
// Period /5/0/13 (read and written, plain text). What the writes and executes mean for the upgrade the link
// decides (lwm2m-link.ts).
import { contentFormats } from '@updraft/protocol';
import type { IncomingMessage, OutgoingMessage } from 'coap';
import type { Telemetry } from './link.ts';

/** Object 5 State (/5/0/3). */
export const fwState = { idle: 0, downloading: 1, downloaded: 2, updating: 3 } as const;

/** Object 5 Update Result (/5/0/5, OMA-SUP-XML_5-V1_1). */
export const fwResult = {
  initial: 0,
  success: 1,
  connectionLost: 4,
  integrityFailure: 5,
  invalidUri: 7,
  updateFailed: 8,
  unsupportedProtocol: 9,
  cancelled: 10,
  deferred: 11,
} as const;

export interface ObjectHandlers {
  version(): string;
  telemetry(): Promise<Telemetry>;
  /** A Package URI write (empty: reset). Answered 2.04 before this runs. */
  packageUri(uri: string): void;
  /** /5/0/9: 0 pull only, 1 push only. */
  deliveryMethod: number;
  /** A Package write (push, reassembled from its Block1 blocks), with its Uri-Query options. */
  packageWrite(payload: Buffer, query: string[]): void;
  /** Update (/5/0/2): false answers 4.05 (only in State 2, §E.6). */
  update(): boolean;
  /** Cancel (/5/0/10): false answers 4.05 (Update already started). */
  cancel(): boolean;
}

export function createObjects(handlers: ObjectHandlers) {
  const values = {
    state: 0 as number,
    result: 0 as number,
    pkgName: '',
    pkgVersion: '',
    /** /5/0/11: 0 critical, 1 mandatory (the default), 2 optional. */
    severity: 1 as number,
    /** /5/0/13: seconds the update may be put off, 0 = not at all; undefined until written. */
    maxDeferPeriod: undefined as number | undefined,
  };
  const observers = new Map<string, OutgoingMessage[]>();

  function notify(path: string, value: number) {
    for (const res of observers.get(path) ?? []) res.write(Buffer.from(String(value)));
  }

  function text(res: OutgoingMessage, value: string | number) {
    res.setOption('Content-Format', contentFormats.text);
    res.end(Buffer.from(String(value)));
  }
  function code(res: OutgoingMessage, value: string) {
    res.code = value;
    res.end();
  }

  async function read(path: string, res: OutgoingMessage) {
    switch (path) {
      case '/3/0/3':
        return text(res, handlers.version());
      case '/3/0/9':
      case '/4/0/2': {
        const now = await handlers.telemetry();
        const value = path === '/3/0/9' ? now.battery : now.signal;
        return value === undefined ? code(res, '4.04') : text(res, value);
      }
      case '/5/0/3':
        return text(res, values.state);
      case '/5/0/5':
        return text(res, values.result);
      case '/5/0/6':
        return text(res, values.pkgName);
      case '/5/0/7':
        return text(res, values.pkgVersion);
      case '/5/0/8': {
        // A multiple resource in TLV (§7.4.3): one instance, 0 CoAP (block-wise).
        res.setOption('Content-Format', contentFormats.tlv);
        return res.end(Buffer.of(0x88, 8, 3, 0x41, 0, 0));
      }
      case '/5/0/9':
        return text(res, handlers.deliveryMethod);
      case '/5/0/11':
        return text(res, values.severity);
      case '/5/0/13':
        return values.maxDeferPeriod === undefined ? code(res, '4.04') : text(res, values.maxDeferPeriod);
      default:
        return code(res, '4.04');
    }
  }

  function observe(path: string, res: OutgoingMessage) {
    if (path !== '/5/0/3' && path !== '/5/0/5') return read(path, res);
    observers.set(path, [...(observers.get(path) ?? []), res]);
    res.on('finish', () =>
      observers.set(
        path,
        (observers.get(path) ?? []).filter((r) => r !== res),
      ),
    );
    res.setOption('Content-Format', contentFormats.text);
    res.write(Buffer.from(String(path === '/5/0/3' ? values.state : values.result)));
  }

  function handle(req: IncomingMessage, res: OutgoingMessage) {
    const path = req.url.split('?')[0]!;
    if (req.method === 'GET') {
      if (req.headers.Observe === 0) return observe(path, res);
      return void read(path, res).catch(() => code(res, '5.00'));
    }
    if (req.method === 'PUT' && path === '/5/0/1') {
      code(res, '2.04');
      return handlers.packageUri(req.payload.toString('utf8').trim());
    }
    if (req.method === 'PUT' && (path === '/5/0/11' || path === '/5/0/13')) {
      const value = req.payload.toString('utf8').trim();
      // Severity 0..2; Maximum Defer Period an unsigned number of seconds (OMA-SUP-XML_5-V1_1).
      if (!/^\d{1,10}$/.test(value) || (path === '/5/0/11' && Number(value) > 2)) return code(res, '4.00');
      if (path === '/5/0/11') values.severity = Number(value);
      else values.maxDeferPeriod = Number(value);
      return code(res, '2.04');
    }
    if (req.method === 'POST' && path === '/5/0/2') return code(res, handlers.update() ? '2.04' : '4.05');
    if (req.method === 'POST' && path === '/5/0/10') return code(res, handlers.cancel() ? '2.04' : '4.05');
    if (req.method === 'PUT' && path === '/5/0/0') {
      // A pull-only client (/5/0/9 = 0) takes no Package.
      if (handlers.deliveryMethod === 0) return code(res, '4.05');
      code(res, '2.04');
      const query = (req.url.split('?')[1] ?? '').split('&').filter(Boolean).map(decodeURIComponent);
      return handlers.packageWrite(req.payload, query);
    }
    return code(
      res,
      path.startsWith('/5/') || path.startsWith('/3/') || path.startsWith('/4/') ? '4.05' : '4.04',
    );
  }

  return {
    values,
    handle,
    setState(state: number) {
      values.state = state;
      notify('/5/0/3', state);
    },
    setResult(result: number) {
      values.result = result;
      notify('/5/0/5', result);
    },
    /** A new registration: the server observes again. */
    forgetObservers() {
      observers.clear();
    },
  };
}

export type Lwm2mObjects = ReturnType<typeof createObjects>;

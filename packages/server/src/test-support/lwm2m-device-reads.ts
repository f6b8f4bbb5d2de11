// The test LwM2M client's answers to the server's Read and Observe (OMA-TS-LightweightM2M-V1_1
// §6.3, §6.4.2 over CoAP GET): /3/0/3, /3/0/9, /4/0/2, /5/0/3, /5/0/5, /5/0/8 and /5/0/9, in
// plain text (TLV for the multiple resource /5/0/8) or, as a client that prefers it, SenML CBOR.
import { contentFormats, encodeCbor } from '@updraft/protocol';
import type { OutgoingMessage } from 'coap';
import type { Lwm2mDeviceOptions } from './lwm2m-device-options.ts';

/** SenML CBOR (RFC 8428 §6) records: base name -2, name 0, value 2, string value 3. */
function senmlCbor(path: string, value: string | number | number[]): Buffer {
  const record = (entries: [number, unknown][]) => new Map<number, unknown>(entries);
  if (Array.isArray(value))
    return encodeCbor(
      value.map((v, i) =>
        record([
          [-2, `${path}/`],
          [0, String(i)],
          [2, v],
        ]),
      ),
    );
  return encodeCbor([
    record([
      [-2, path],
      [typeof value === 'string' ? 3 : 2, value],
    ]),
  ]);
}

export function createReads(
  options: Lwm2mDeviceOptions,
  values: { version: string; state: number; result: number },
) {
  const cbor = options.format === 'senml-cbor';
  const format = cbor ? contentFormats.senmlCbor : contentFormats.text;
  const observers = new Map<string, OutgoingMessage[]>();

  /** A value in the client's format (`path` names it in SenML). */
  const encoded = (path: string, value: string | number) =>
    cbor ? senmlCbor(path, value) : Buffer.from(String(value));

  function resourceValue(path: string): string | number | undefined {
    switch (path) {
      case '/3/0/3':
        return values.version;
      case '/3/0/9':
        return options.battery ?? 90;
      case '/4/0/2':
        return options.signal ?? -70;
      case '/5/0/3':
        return values.state;
      case '/5/0/5':
        return values.result;
      case '/5/0/9':
        return options.deliveryMethod ?? 2;
      default:
        return undefined;
    }
  }

  function observe(path: string, res: OutgoingMessage) {
    observers.set(path, [...(observers.get(path) ?? []), res]);
    res.on('finish', () =>
      observers.set(
        path,
        (observers.get(path) ?? []).filter((r) => r !== res),
      ),
    );
    res.setOption('Content-Format', format);
    res.write(encoded(path, path === '/5/0/3' ? values.state : values.result));
  }

  return {
    answer(path: string, observing: boolean, res: OutgoingMessage) {
      if (observing) return observe(path, res);
      if (path === '/5/0/8') {
        const protocols = options.protocols ?? [0];
        if (cbor) {
          res.setOption('Content-Format', contentFormats.senmlCbor);
          return res.end(senmlCbor(path, protocols));
        }
        // A multiple resource: TLV (§7.4.3), one resource instance per protocol.
        const body = Buffer.concat(protocols.map((p, i) => Buffer.of(0x41, i, p)));
        res.setOption('Content-Format', contentFormats.tlv);
        return res.end(Buffer.concat([Buffer.of(0x88, 8, body.length), body]));
      }
      const value = resourceValue(path);
      if (value === undefined) {
        res.code = '4.04';
        return res.end();
      }
      res.setOption('Content-Format', format);
      res.end(encoded(path, value));
    },
    /** A new value of an observed resource, to its observers. */
    notify(path: string, value: number) {
      if (options.loses?.(path, value)) return;
      for (const res of observers.get(path) ?? []) res.write(encoded(path, value));
    },
    /** A reboot or a new registration: the server observes again. */
    forget() {
      observers.clear();
    },
  };
}

// The CoAP carrier's seam (ADR 0010, step 5 of "Adding a dialect"): what a dialect over CoAP sees
// of a request and answers, and how it sends requests of its own to a device (LwM2M servers act
// as CoAP clients towards their devices). No type of the CoAP library appears here.

export interface CoapPeer {
  address: string;
  port: number;
}

export interface CoapIncoming {
  /** GET, POST, PUT, DELETE, FETCH… */
  method: string;
  /** Uri-Path options, one segment each. */
  path: string[];
  /** Uri-Query options, `key=value` each. */
  query: string[];
  payload: Buffer;
  contentFormat: number | undefined;
  peer: CoapPeer;
}

/**
 * An answer. A payload past one block is served a block at a time by the carrier (RFC 7959
 * Block2, with ETag, and Size2 when asked).
 */
export interface CoapAnswer {
  /** A response code, `2.05` or `4.04` (RFC 7252 §12.1.2). */
  code: string;
  payload?: Buffer;
  contentFormat?: number;
  locationPath?: string[];
}

export interface CoapResult {
  code: string;
  payload: Buffer;
  contentFormat: number | undefined;
}

export interface CoapRequestOptions {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  payload?: Buffer;
  contentFormat?: number;
  accept?: number;
  /** Uri-Query options, `key=value` each. */
  query?: string[];
  /** Block1 (RFC 7959 §2.5): send the payload in blocks of 2^(4+szx) bytes. */
  block1Szx?: number;
}

export interface CoapObservation {
  /** The first answer (RFC 7641 §3.1): the value now. */
  first: CoapResult;
  /** Ends the observation (a GET with Observe 1, §3.6). */
  cancel(): void;
}

/** Requests to devices, from the carrier's socket (so that a device behind NAT gets them). */
export interface CoapClient {
  request(peer: CoapPeer, options: CoapRequestOptions): Promise<CoapResult>;
  /** Observes a resource: `onNotify` gets every notification after the first answer. */
  observe(peer: CoapPeer, path: string, onNotify: (result: CoapResult) => void): Promise<CoapObservation>;
}

export interface CoapDialect {
  readonly name: string;
  /** Whether the request's path is the dialect's. */
  owns(path: readonly string[]): boolean;
  handle(request: CoapIncoming): Promise<CoapAnswer>;
  /** The carrier is up: how to reach devices, and where it listens. */
  attach(client: CoapClient, port: number): void;
  /** The carrier stops. */
  detach(): Promise<void>;
}

// The LwM2M transport: a small LwM2M 1.1 client over CoAP (node-coap, one UDP socket for its
// requests and the server's) as Updraft serves it (docs/lwm2m.md). The device registers as
// `{productKey}.{deviceName}` with Updraft's signed Register (`ts`, `sig`), keeps the
// registration with Updates, and answers the server's reads of its objects (lwm2m-objects.ts).
// An offer is a Package URI write (pull; the package's version, size and sha256 ride in its query,
// protocol parsePackageUri); the device goes State 1 while it downloads (CoAP Block2, resumable,
// coap-download.ts), State 2 once verified, installs only when the server executes Update
// (/5/0/2), and reports Update Result 1 with the new /3/0/3, or a failure's Result. An offer the
// device's owner refuses is Result 11 (deferred): the server counts it as a refusal. Cancel
// (/5/0/10) or an empty Package URI before Update ends the upgrade (CANCELLED).
import type { Socket } from 'node:dgram';
import type { Agent, IncomingMessage } from 'coap';
import { type CoapRequestInit, createCoapFetch } from './coap-download.ts';
import { SdkError } from './errors.ts';
import type { Credentials, FailureReason, Link, Subject, Telemetry } from './link.ts';
import { createObjects, fwResult, fwState } from './lwm2m-objects.ts';
import { lwm2mModule, offerOfPackage, offerOfUri } from './lwm2m-offers.ts';
import { createRegistration } from './lwm2m-registration.ts';
import type { Offer } from './offer.ts';
import { pushedScheme, servePushed } from './pushed-package.ts';

export interface Lwm2mLinkOptions {
  /** coap://host:port of Updraft's CoAP server. */
  url: string;
  credentials: Credentials;
  /** Registration lifetime in seconds (`lt`); an Update goes at half of it. */
  lifetime?: number;
  /** The version the module `default` runs now (/3/0/3 at Register). */
  version(): string;
  telemetry(): Promise<Telemetry>;
  /** For URLs that are not coap:// (a Package URI of the HTTP device API). */
  fetch?: typeof fetch;
  /** /5/0/9: `pull` (a Package URI, default) or `push` (the server writes the Package). */
  delivery?: 'pull' | 'push';
}

/** /5/0/11 Severity (OMA-SUP-XML_5-V1_1). */
const severityNames: Record<number, NonNullable<Offer['severity']>> = {
  0: 'critical',
  1: 'mandatory',
  2: 'optional',
};

/** Update Result for a failure the device reports (protocols.md §5, read back by the server). */
const resultOfFailure: Record<FailureReason, number> = {
  download_failed: fwResult.connectionLost,
  check_failed: fwResult.integrityFailure,
  signature_invalid: fwResult.integrityFailure,
  write_failed: fwResult.updateFailed,
  low_battery: fwResult.updateFailed,
  failed: fwResult.updateFailed,
};

/** The upgrade on the client's Object 5 now. */
interface Current {
  offer: Offer;
  cancelled: boolean;
  executed: boolean;
  abort: AbortController;
  waiting?: { resolve(): void; reject(error: Error): void };
}

const cancelledError = () =>
  new SdkError('CANCELLED', 'the server cancelled the upgrade before it was installed (LwM2M Cancel)');

export function createLwm2mLink(options: Lwm2mLinkOptions): Link & { fetch: typeof fetch } {
  const { productKey, name, secret } = options.credentials;
  const endpoint = `${productKey}.${name}`;
  const server = new URL(options.url);
  const lifetime = options.lifetime ?? 300;
  let socket: Socket | undefined;
  let agent: Agent | undefined;
  let coapServer: { close(): void } | undefined;
  let download: typeof fetch | undefined;
  let version = '';
  let registeredVersion: string | undefined;
  /** The Register of connect() stands for the first version report. */
  let fresh = false;
  let current: Current | undefined;
  /** The package the server wrote to /5/0/0 (push), served as `lwm2m-package:{sha256}`. */
  let pushed: Buffer | undefined;
  const listeners: ((subject: Subject, offer: Offer) => void)[] = [];
  const cancels: ((subject: Subject, offer: Offer) => void)[] = [];

  function cancelCurrent() {
    if (!current || current.executed || current.cancelled) return;
    current.cancelled = true;
    for (const listener of cancels) listener({}, current.offer);
    current.abort.abort(cancelledError());
    current.waiting?.reject(cancelledError());
  }

  /** Offers the upgrade `offer` stands for (a Package URI or a Package write). */
  function offered(offer: Offer) {
    // The same package again (a new token) serves the run under way; another replaces it.
    if (!current || current.cancelled || current.offer.sha256 !== offer.sha256) track(offer, true);
    for (const listener of listeners) listener({}, offer);
  }

  /** A write the device cannot take: Idle, with the Update Result that says why. */
  function refuse(result: number) {
    objects.setState(fwState.idle);
    objects.setResult(result);
  }

  function reset() {
    // §E.6: an empty Package URI (or Package) resets to Idle; before Update it ends the upgrade.
    if (current?.executed) return;
    cancelCurrent();
    current = undefined;
    objects.setState(fwState.idle);
    objects.setResult(fwResult.initial);
  }

  const objects = createObjects({
    version: () => version,
    deliveryMethod: options.delivery === 'push' ? 1 : 0,
    packageWrite(payload, query) {
      if (payload.length === 0 || (payload.length === 1 && payload[0] === 0)) return reset();
      const offer = offerOfPackage(payload, query);
      if ('result' in offer) return refuse(offer.result);
      pushed = payload;
      offered(withDeferral(offer));
    },
    telemetry: options.telemetry,
    packageUri(uri) {
      if (uri === '') return reset();
      const offer = offerOfUri(uri);
      if ('result' in offer) return refuse(offer.result);
      offered(withDeferral(offer));
    },
    update() {
      if (objects.values.state !== fwState.downloaded || !current) return false;
      current.executed = true;
      objects.setState(fwState.updating);
      current.waiting?.resolve();
      return true;
    },
    cancel() {
      if (objects.values.state === fwState.updating || current?.executed) return false;
      cancelCurrent();
      objects.setState(fwState.idle);
      objects.setResult(fwResult.cancelled);
      return true;
    },
  });

  /** The offer with Severity and Maximum Defer Period, when the server wrote them before it. */
  function withDeferral(offer: Offer): Offer {
    const { severity, maxDeferPeriod } = objects.values;
    return maxDeferPeriod === undefined
      ? offer
      : { ...offer, severity: severityNames[severity] ?? 'mandatory', maxDeferSeconds: maxDeferPeriod };
  }

  /** The Object 5 upgrade for `offer` (a resumed one has no Package URI write in this session). */
  function track(offer: Offer, replace = false): Current {
    if (!current || replace)
      current = { offer, cancelled: false, executed: false, abort: new AbortController() };
    if (current.cancelled) throw cancelledError();
    return current;
  }

  const registration = createRegistration({
    server,
    endpoint,
    secret,
    lifetime,
    agent: () => agent,
    onRegister: () => objects.forgetObservers(),
  });

  async function register() {
    const registeredAs = version;
    await registration.register();
    registeredVersion = registeredAs;
  }

  return {
    kind: 'lwm2m',
    // Downloads of the upgrade under way end with CANCELLED when the server cancels it.
    fetch: (async (input: string | URL | Request, init?: RequestInit) => {
      const url = String(input instanceof Request ? input.url : input);
      if (url.startsWith(pushedScheme)) {
        if (current?.cancelled) throw cancelledError();
        if (!pushed) throw new SdkError('DOWNLOAD_FAILED', 'the pushed package is gone (a new session)');
        return servePushed(pushed, init);
      }
      const via = download ?? options.fetch ?? fetch;
      const under = current;
      if (!under) return via(input, init);
      if (under.cancelled) throw cancelledError();
      try {
        return await via(input, { ...init, cancel: under.abort.signal } as CoapRequestInit);
      } catch (error) {
        throw under.cancelled ? cancelledError() : error;
      }
    }) as typeof fetch,
    async connect() {
      let coap: typeof import('coap');
      let packet: typeof import('coap-packet');
      try {
        coap = await import('coap');
        packet = await import('coap-packet');
      } catch (error) {
        throw new SdkError(
          'INVALID_ARGUMENT',
          'the lwm2m transport needs the coap package next to the SDK: npm install coap',
          {},
          { cause: error },
        );
      }
      const { createSocket } = await import('node:dgram');
      const { isIPv6 } = await import('node:net');
      const udp = createSocket(isIPv6(server.hostname.replace(/^\[|\]$/g, '')) ? 'udp6' : 'udp4');
      await new Promise<void>((resolve, reject) => {
        udp.once('error', reject);
        udp.bind(0, () => {
          udp.off('error', reject);
          resolve();
        });
      });
      socket = udp;
      const coapSrv = new coap.Server();
      coapSrv.listen(udp);
      coapSrv.on('request', (req: IncomingMessage, res) => objects.handle(req, res));
      coapServer = coapSrv;
      agent = new coap.Agent({ socket: udp });
      download = createCoapFetch(udp, agent, (m) => packet.parse(m), options.fetch ?? fetch);
      version = options.version();
      await register();
      fresh = true;
      registration.keep();
    },
    async reportVersion(subject, module, reported) {
      if (subject.username) throw new SdkError('INVALID_ARGUMENT', 'the lwm2m transport has no sub-devices');
      // One Object 5 instance: it upgrades the module `default` only.
      if (module !== lwm2mModule) return null;
      version = reported;
      if (fresh && reported === registeredVersion) {
        fresh = false;
        return null;
      }
      fresh = false;
      // A Register again: the server reads the version and offers what waits (docs/lwm2m.md).
      await register();
      return null;
    },
    onReconnect() {},
    onOffer(listener) {
      listeners.push(listener);
    },
    onNoOffer() {},
    onCancel(listener) {
      cancels.push(listener);
    },
    async accepted(_subject, offer) {
      track(offer);
      objects.values.pkgName = offer.module;
      objects.values.pkgVersion = offer.targetVersion;
      objects.setResult(fwResult.initial);
      objects.setState(fwState.downloading);
    },
    async progress() {},
    downloaded(_subject, offer) {
      const under = track(offer);
      if (under.executed) return Promise.resolve();
      // Installed only once the server executes Update (/5/0/2), which it does in State 2.
      return new Promise<void>((resolve, reject) => {
        under.waiting = { resolve, reject };
        objects.setState(fwState.downloaded);
      });
    },
    async succeeded(_subject, offer) {
      current = undefined;
      version = offer.targetVersion;
      objects.setState(fwState.idle);
      objects.setResult(fwResult.success);
    },
    async failed(_subject, _offer, reason) {
      current = undefined;
      objects.setState(fwState.idle);
      objects.setResult(resultOfFailure[reason]);
    },
    async declined(_subject, _offer, _reason, byChoice) {
      current = undefined;
      // The owner's refusal is LwM2M's deferral (Result 11); a device that waits says nothing.
      if (byChoice) objects.setResult(fwResult.deferred);
    },
    async close() {
      current?.waiting?.reject(new SdkError('NETWORK', 'the link closed'));
      await registration.deregister();
      agent?.close();
      coapServer?.close();
      socket?.close();
      agent = undefined;
      socket = undefined;
    },
  };
}

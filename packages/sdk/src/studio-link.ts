// The OneNET Studio transport (`transport: 'onenet-studio'`): OneNET Studio's fuse-ota API as
// Updraft serves it (docs/device-http.md, "OneNET Studio"). The device checks with
// `GET /fuse-ota/{pro_id}/{dev_name}/check?type=&version=` and reports steps and result codes on
// the task (`/{tid}/status`); a gateway signs with its own key and names a sub-device in the path.
// Downloads take the offer's file tokens (`/device/v1/download/{token}`, RFC 7233 ranges), which
// the check answers beside the tid.
import { createOneNetToken } from '@updraft/protocol';
import { offerFromCheck } from './check-offer.ts';
import { SdkError } from './errors.ts';
import type { Credentials, FailureReason, Link, Subject } from './link.ts';
import type { Offer } from './offer.ts';

/** OneNET result codes (protocols.md §2.4 (4)), which Studio's status takes as the legacy does. */
const resultCode = { downloaded: 101, success: 201 };
const failureCode: Record<FailureReason, number> = {
  download_failed: 107,
  check_failed: 205,
  write_failed: 206,
  low_battery: 202,
  failed: 206,
  signature_invalid: 205,
};

interface StudioEnvelope {
  code: number;
  msg: string;
  data?: Record<string, unknown>;
}

export interface StudioLinkOptions {
  server: string;
  credentials: Credentials;
  /** The API's prefix on the server (`/fuse-ota`; `/ota` is the older Studio base). */
  prefix?: string;
  fetch?: typeof fetch;
}

export function createStudioLink(options: StudioLinkOptions): Link {
  const base = options.server.replace(/\/$/, '');
  const prefix = options.prefix ?? '/fuse-ota';
  const doFetch = options.fetch ?? fetch;
  const { credentials } = options;
  const res = `products/${credentials.productKey}/devices/${credentials.name}`;
  const noOffer: ((subject: Subject, module: string, reason: string) => void)[] = [];

  /** `/{pro_id}/{dev_name}` of the device itself or of a sub-device (`{productKey}.{name}`). */
  function devicePath(subject: Subject): string {
    const [productKey, name] = subject.username
      ? splitUsername(subject.username)
      : [credentials.productKey, credentials.name];
    return `${base}${prefix}/${encodeURIComponent(productKey)}/${encodeURIComponent(name)}`;
  }

  async function call(method: 'GET' | 'POST', url: string, body?: unknown): Promise<StudioEnvelope> {
    const et = Math.floor(Date.now() / 1000) + 3600;
    let response: Response;
    try {
      response = await doFetch(url, {
        method,
        headers: {
          authorization: createOneNetToken(credentials.secret, res, et, 'sha256', '2022-05-01'),
          'content-type': 'application/json',
        },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
    } catch (error) {
      throw new SdkError(
        'NETWORK',
        `cannot reach ${base}: ${(error as Error).message}`,
        {},
        { cause: error },
      );
    }
    if (response.status >= 500) throw new SdkError('SERVER_ERROR', `${url} answered ${response.status}`);
    const envelope = (await response.json()) as StudioEnvelope;
    if (envelope.code === 1) throw new SdkError('AUTH_FAILED', envelope.msg, { errno: 1 });
    return envelope;
  }

  async function status(subject: Subject, offer: Offer, step: number): Promise<void> {
    if (!offer.task) return;
    const answer = await call('POST', `${devicePath(subject)}/${offer.task}/status`, { step });
    // 17 and 19: the server does not take the start now (a paused plan holds back devices that
    // have not started); the offer comes again once the plan goes on.
    if (answer.code === 17 || answer.code === 19)
      throw new SdkError('REFUSED', `status: ${answer.msg}`, { errno: answer.code });
  }

  return {
    kind: 'http',
    async connect() {},
    async reportVersion(subject, module, version, telemetry) {
      // Studio's `type` is 1 (FOTA, the `default` module) or 2 (SOTA, the `sota` module); other
      // modules are named with Updraft's `module`.
      const type = module === 'sota' ? '2' : '1';
      const query = new URLSearchParams({
        type,
        version,
        ...(module !== 'default' && module !== 'sota' && { module }),
        // Updraft's addition: the bytes free, compared with the plan's minimum.
        ...(telemetry.freeSpace !== undefined && { space: String(telemetry.freeSpace) }),
      });
      const answer = await call('GET', `${devicePath(subject)}/check?${query}`);
      if (answer.code !== 0 || !answer.data) {
        for (const listener of noOffer) listener(subject, module, `code ${answer.code}: ${answer.msg}`);
        return null;
      }
      return {
        ...offerFromCheck(`${base}/device/v1/download/`, module, answer.data),
        task: String(answer.data['tid']),
      };
    },
    onOffer() {},
    // Every call is a connection of its own: the next check is the reconciliation.
    onReconnect() {},
    onNoOffer(listener) {
      noOffer.push(listener);
    },
    // Studio has no token check: the first step starts the task.
    accepted: (subject, offer) => status(subject, offer, 0),
    progress: (subject, offer, percent) =>
      status(subject, offer, Math.max(0, Math.min(100, Math.round(percent)))),
    downloaded: (subject, offer) => status(subject, offer, resultCode.downloaded),
    succeeded: (subject, offer) => status(subject, offer, resultCode.success),
    // docs/device-http.md, "Health after the install" (Studio: `…/{tid}/health`).
    async health(subject, offer, health) {
      if (!offer.task) return 'applied';
      const answer = await call('POST', `${devicePath(subject)}/${offer.task}/health`, health);
      if (answer.code === 20 || answer.code === 22) return 'ended';
      if (answer.code !== 0)
        throw new SdkError('SERVER_ERROR', `health: ${answer.msg}`, { errno: answer.code });
      return 'applied';
    },
    failed: (subject, offer, reason) => status(subject, offer, failureCode[reason]),
    async close() {},
  };
}

function splitUsername(username: string): [string, string] {
  const dot = username.indexOf('.');
  if (dot < 1) throw new SdkError('INVALID_ARGUMENT', `${username} is not {productKey}.{deviceName}`);
  return [username.slice(0, dot), username.slice(dot + 1)];
}

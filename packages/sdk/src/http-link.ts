// The HTTP transport: OneNET's southbound API as Updraft serves it (docs/device-http.md). The
// device signs each call with its secret; a gateway names a sub-device with `dev_id`.
import { createDeviceApiCall, devParam } from './device-api-call.ts';
import { SdkError } from './errors.ts';
import type { Credentials, Link, Subject, Telemetry } from './link.ts';
import type { Offer } from './offer.ts';

/** OneNET result codes (protocols.md §2.4 (4)). */
const resultCode = { downloaded: 101, downloadFailed: 107, success: 201, checkFailed: 205, writeFailed: 206 };

export function createHttpLink(
  server: string,
  credentials: Credentials,
  doFetch: typeof fetch = fetch,
): Link {
  const base = server.replace(/\/$/, '');
  const call = createDeviceApiCall(base, credentials, doFetch);
  const noOffer: ((subject: Subject, module: string, reason: string) => void)[] = [];

  async function report(subject: Subject, offer: Offer, step: number): Promise<void> {
    if (!offer.token) return;
    await call('POST', `/ota/south/device/download/${offer.token}/progress?${devParam(subject)}`, { step });
  }

  return {
    kind: 'http',
    async connect() {},
    async reportVersion(subject: Subject, module: string, version: string, telemetry: Telemetry) {
      // No manuf/model: Updraft compares them with the product's when sent (errno 8).
      const query = new URLSearchParams({
        type: '1',
        version,
        cdn: 'true',
        module,
        ...(telemetry.signal !== undefined && { signals: String(telemetry.signal) }),
        ...(telemetry.battery !== undefined && { powers: String(telemetry.battery) }),
      });
      const answer = await call('GET', `/ota/south/check?${devParam(subject)}${query}`);
      if (answer.errno !== 0 || !answer.data) {
        for (const listener of noOffer) listener(subject, module, `errno ${answer.errno}: ${answer.error}`);
        return null;
      }
      const data = answer.data;
      const token = String(data['token']);
      return {
        module,
        targetVersion: String(data['target']),
        url: `${base}/device/v1/download/${token}`,
        size: Number(data['size']),
        sha256: String(data['sha256'] ?? ''),
        md5: String(data['md5'] ?? ''),
        kind: data['type'] === 2 ? 'delta' : 'full',
        minSignal: Number(data['signal']) > -150 ? Number(data['signal']) : null,
        minBattery: Number(data['power']) > 0 ? Number(data['power']) : null,
        token,
      };
    },
    onOffer() {},
    onNoOffer(listener) {
      noOffer.push(listener);
    },
    async accepted(subject, offer) {
      if (!offer.token) return;
      const answer = await call('GET', `/ota/south/download/${offer.token}/check?${devParam(subject)}`);
      if (answer.errno !== 0)
        throw new SdkError('DOWNLOAD_FAILED', `token check: ${answer.error}`, { errno: answer.errno });
    },
    progress: (subject, offer, percent) => report(subject, offer, Math.max(0, Math.min(100, percent))),
    downloaded: (subject, offer) => report(subject, offer, resultCode.downloaded),
    succeeded: (subject, offer) => report(subject, offer, resultCode.success),
    failed: (subject, offer, stage) =>
      report(
        subject,
        offer,
        stage === 'download'
          ? resultCode.downloadFailed
          : stage === 'check'
            ? resultCode.checkFailed
            : resultCode.writeFailed,
      ),
    async close() {},
  };
}

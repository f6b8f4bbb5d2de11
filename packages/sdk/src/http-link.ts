// The HTTP transport: OneNET's southbound API as Updraft serves it (docs/device-http.md). The
// device signs each call with its secret; a gateway names a sub-device with `dev_id`.

import { offerFromCheck } from './check-offer.ts';
import { createDeviceApiCall, devParam } from './device-api-call.ts';
import { SdkError } from './errors.ts';
import type { Credentials, FailureReason, Link, ModuleCodes, Subject, Telemetry } from './link.ts';
import type { Offer } from './offer.ts';

/** OneNET's "other" manufacturer and model (protocols.md §2.7). */
const otherCodes: ModuleCodes = { manufacturer: '000', model: '00001' };

/** OneNET result codes (protocols.md §2.4 (4)). */
const resultCode = { downloaded: 101, success: 201 };
const failureCode: Record<FailureReason, number> = {
  download_failed: 107, // download failed: unknown
  check_failed: 205, // upgrade failed: MD5 check failed
  write_failed: 206, // upgrade failed: unknown (OneNET has no write failure of its own)
  low_battery: 202, // upgrade failed: low battery
  failed: 206,
  signature_invalid: 205, // verification failed: OneNET carries no text
};

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
    async reportVersion(subject: Subject, module: string, version: string, telemetry: Telemetry, codes) {
      // OneNET requires manuf and model (errno 2 without); Updraft compares them with the
      // module's codes when it has some (errno 8). Without codes of its own the device sends
      // OneNET's "other" codes, which only modules without codes take.
      const query = new URLSearchParams({
        manuf: codes?.manufacturer ?? otherCodes.manufacturer,
        model: codes?.model ?? otherCodes.model,
        type: '1',
        version,
        cdn: 'true',
        module,
        ...(telemetry.signal !== undefined && { signals: String(telemetry.signal) }),
        ...(telemetry.battery !== undefined && { powers: String(telemetry.battery) }),
        ...(telemetry.freeSpace !== undefined && { space: String(telemetry.freeSpace) }),
      });
      const answer = await call('GET', `/ota/south/check?${devParam(subject)}${query}`);
      if (answer.errno !== 0 || !answer.data) {
        for (const listener of noOffer) listener(subject, module, `errno ${answer.errno}: ${answer.error}`);
        return null;
      }
      return offerFromCheck(`${base}/device/v1/download/`, module, answer.data);
    },
    onOffer() {},
    // Every HTTP call is a connection of its own: the next check is the reconciliation.
    onReconnect() {},
    onNoOffer(listener) {
      noOffer.push(listener);
    },
    async accepted(subject, offer) {
      if (!offer.token) return;
      const answer = await call('GET', `/ota/south/download/${offer.token}/check?${devParam(subject)}`);
      // 17 and 19: the server does not take the start now (a paused plan holds back devices that
      // have not started); nothing failed, the offer comes again once the plan goes on.
      if (answer.errno === 17 || answer.errno === 19)
        throw new SdkError('REFUSED', `token check: ${answer.error}`, { errno: answer.errno });
      if (answer.errno !== 0)
        throw new SdkError('DOWNLOAD_FAILED', `token check: ${answer.error}`, { errno: answer.errno });
    },
    // The device's `accept` declined the offer: the server offers it again after the plan's
    // rejection period (POST …/download/{token}/refuse, docs/device-http.md).
    async declined(subject, offer, reason, byChoice) {
      if (!byChoice || !offer.token) return;
      const answer = await call('POST', `/ota/south/download/${offer.token}/refuse?${devParam(subject)}`, {
        reason: reason.slice(0, 128),
      });
      if (answer.errno !== 0) {
        throw new SdkError('REFUSED', `refuse: ${answer.error}`, { errno: answer.errno });
      }
    },
    progress: (subject, offer, percent) => report(subject, offer, Math.max(0, Math.min(100, percent))),
    downloaded: (subject, offer) => report(subject, offer, resultCode.downloaded),
    succeeded: (subject, offer) => report(subject, offer, resultCode.success),
    // docs/device-http.md, "Health after the install"; errno 20 or 22: the upgrade already ended.
    async health(subject, offer, health) {
      const query = new URLSearchParams({ module: offer.module });
      const answer = await call('POST', `/ota/south/device/health?${devParam(subject)}${query}`, health);
      if (answer.errno === 20 || answer.errno === 22) return 'ended';
      if (answer.errno !== 0)
        throw new SdkError('SERVER_ERROR', `health: ${answer.error}`, { errno: answer.errno });
      return 'applied';
    },
    // OneNET's result codes carry no text: the detail stays on the device.
    failed: (subject, offer, reason) => report(subject, offer, failureCode[reason]),
    async close() {},
  };
}

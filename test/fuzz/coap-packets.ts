// CoAP packets at the CoAP server over real UDP, and LwM2M payloads at its LwM2M dialect:
// - requests a device sends (Register, Update, De-register, download; generated queries,
//   payloads, Block1/Block2 numbers, unknown critical options), flawed, mutated, random bytes,
//   all of which must be refused: from devices that do not authenticate, at locations never
//   handed out, for tokens never issued;
// - Registers with a valid signature and generated parameters, Updates and De-registers at the
//   real location, one at a time, which may succeed;
// - a registered client answering the server's reads and observations with generated TLV,
//   SenML JSON and CBOR and plain text, then notifying generated values (lwm2m-payload-device.ts).
// Rules (coap-rules.ts): the server never crashes; every answer is a well-formed CoAP response on
// the request's token, 4.xx for what is refused, never 5.00 for bad input; refused input changes
// nothing; after every batch a real client still registers.
import fc from 'fast-check';
import type { DeviceFleet } from '../../packages/server/src/test-support/device-fleet.ts';
import { startLwm2mDevice } from '../../packages/server/src/test-support/lwm2m-device.ts';
import { bytesOf, type CoapInput, coapInput, coapRequest, encodeRequest } from './coap-inputs.ts';
import { type CoapPeer, openCoapPeer } from './coap-peer.ts';
import { expectation, judgeAnswers } from './coap-rules.ts';
import {
  createSigner,
  properAnswer,
  rowsOf,
  settle,
  tokenOf,
  watchCrashes,
  withTimeout,
} from './coap-support.ts';
import { fuzzPayloadDevice, startPayloadDevice } from './lwm2m-payload-device.ts';
import { type FuzzReport, forBudget } from './report.ts';

/** A download of a token the server issued may succeed: anything else must be refused. */
function mustRefuse(input: CoapInput, issued: readonly string[]): boolean {
  if (input.kind === 'garbage') return true;
  return !issued.some((token) => input.request.path === `/fw/${token}`);
}

export async function fuzzCoap(
  f: DeviceFleet,
  port: number,
  budgetMs: number,
  report: FuzzReport,
  seed: number,
): Promise<void> {
  const target = 'coap';
  const server = { address: '127.0.0.1', port };
  const [liveDevice, signedDevice, payloadDevice, refusedDevice] = f.devices;
  if (!liveDevice || !signedDevice || !payloadDevice || !refusedDevice)
    throw new Error('the CoAP target takes a fleet of four devices');
  const endpointOf = (d: { name: string }) => `${f.productKey}.${d.name}`;
  const db = f.t.app.database.db;
  const sign = createSigner(() => f.t.clock.now());
  const crashes = watchCrashes((error) =>
    report.find(target, 'crash', String((error as Error)?.stack ?? error)),
  );

  // A real client (liveness); a peer signing in as `signedDevice` that answers the server's
  // reads properly; the client with generated payloads; sixteen peers for the refused inputs.
  const live = await startLwm2mDevice({
    server,
    endpoint: endpointOf(liveDevice),
    secret: liveDevice.secret,
    version: '1.0',
    installs: null,
    now: () => f.t.clock.now(),
  });
  const signed = await openCoapPeer(server, (request) => properAnswer(request.path, request.method));
  const payloads = await startPayloadDevice(server, endpointOf(payloadDevice), payloadDevice.secret, sign);
  const pool: CoapPeer[] = [];
  for (let i = 0; i < 16; i++) pool.push(await openCoapPeer(server));
  let location: string | undefined;
  try {
    await forBudget('coap', budgetMs, async (batch) => {
      // Signatures hold within ±5 minutes of the server's clock, and `ts` moves a second a Register.
      f.t.clock.advance(1000);
      const issued = [...live.writes.map((w) => w.payload.toString()), ...payloads.uris]
        .map(tokenOf)
        .filter((t): t is string => t !== undefined);
      const endpoints = [endpointOf(refusedDevice), endpointOf(signedDevice), `${f.productKey}.nobody`, 'x'];
      const ids = ['0', 'a'.repeat(24), `${location ?? 'ab'}x`];
      const tokens = ['ota_never_issued', ...issued.slice(-2), ...issued.slice(-1).map((t) => `${t}x`)];

      // 1. Inputs that must be refused (or dropped), all at once.
      const rows = await rowsOf(db, [refusedDevice.id]);
      const inputs = fc.sample(coapInput(coapRequest(endpoints, ids, tokens)), {
        numRuns: pool.length,
        seed: seed + batch,
      });
      await Promise.all(
        inputs.map(async (input, n) => {
          const peer = pool[n]!;
          const messageId = peer.nextMessageId();
          const bytes = bytesOf(input, messageId);
          const { waitMs, done } = expectation(bytes);
          const answers = await peer.exchange(bytes, waitMs, done);
          report.count(`coap.${input.kind}`);
          judgeAnswers(report, target, bytes, answers, { mustRefuse: mustRefuse(input, issued) });
        }),
      );
      if ((await rowsOf(db, [refusedDevice.id])) !== rows)
        report.find(
          target,
          'refused input changed state',
          `batch ${batch}: a device that never signed in changed`,
        );

      // 2. Signed Registers with generated parameters; Updates and De-registers at the real location.
      const requests = fc.sample(coapRequest([endpointOf(signedDevice)], ['-'], ['ota_none']), {
        numRuns: 4,
        seed: seed + batch,
      });
      for (const request of requests) {
        // A lifetime that runs out would take the device offline while a refusal is being checked.
        request.query = [...request.query.filter((q) => !q.startsWith('lt=')), 'lt=86400'];
        if (request.path === '/rd' && request.code === 'POST') {
          request.query.push(...sign.query(endpointOf(signedDevice), signedDevice.secret));
        } else if (request.path.startsWith('/rd/') && location) {
          request.path = `/rd/${location}`;
        }
        const before = await rowsOf(db, [signedDevice.id]);
        const messageId = signed.nextMessageId();
        const bytes = encodeRequest(request, messageId);
        const { waitMs, done } = expectation(bytes);
        const answers = await signed.exchange(bytes, waitMs, done);
        report.count('coap.signed');
        const outcome = judgeAnswers(report, target, bytes, answers, { mustRefuse: false });
        if (outcome.accepted) {
          report.count(`coap.accepted.${outcome.code}`);
          if (outcome.location) location = outcome.location;
          // The server reads the client and offers it the plan's package before the next input.
          await settle(signed, 120, 2000);
        } else if (outcome.refused && (await rowsOf(db, [signedDevice.id])) !== before) {
          report.find(target, 'refused input changed state', {
            request: `${request.code} ${request.path}?${request.query.join('&')}`,
            code: outcome.code,
          });
        }
      }

      // 3. The client with generated payloads registers, answers the server's reads, notifies.
      await fuzzPayloadDevice(payloads, f, payloadDevice.id, report, target, seed + batch);

      // Liveness: a properly signed Register from a real client still succeeds.
      try {
        await withTimeout(live.register(), 5000, 'Register');
        report.count('coap.liveness');
      } catch (error) {
        report.find(target, 'a device could not register after a batch', String(error));
      }
    });
  } finally {
    crashes.stop();
    await live.close().catch(() => {});
    await signed.close();
    await payloads.close();
    for (const peer of pool) await peer.close();
  }
}

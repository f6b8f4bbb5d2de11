// The CoAP fuzz target's LwM2M client with generated payloads: it registers properly (signed),
// answers the server's reads and observations (/3/0/3, /3/0/9, /4/0/2, /5/0/8, /5/0/9, /5/0/3,
// /5/0/5) with generated TLV, SenML JSON and CBOR, plain text and opaque payloads, in the right
// content format or another, or with an error code; then notifies State and Update Result with
// generated payloads. Rules: the server acknowledges or resets each notification, and a
// notification the codec refuses (or whose value means nothing) changes nothing.
import { contentFormats, decodeResourceValue } from '@updraft/protocol';
import fc from 'fast-check';
import {
  coapOptions,
  coapTypes,
  encodeCoap,
  uintOption,
  uriOptions,
} from '../../packages/server/src/test-support/coap-raw.ts';
import type { DeviceFleet } from '../../packages/server/src/test-support/device-fleet.ts';
import { type CoapPeer, openCoapPeer, type PeerAnswer, type ServerRequest } from './coap-peer.ts';
import { expectation, judgeAnswers } from './coap-rules.ts';
import { type createSigner, rowsOf, settle } from './coap-support.ts';
import { lwm2mPayload } from './lwm2m-payloads.ts';
import type { FuzzReport } from './report.ts';

export interface PayloadDevice {
  peer: CoapPeer;
  endpoint: string;
  secret: string;
  sign: ReturnType<typeof createSigner>;
  answers: (request: ServerRequest) => PeerAnswer;
  /** Package URIs the server wrote (/5/0/1): real download tokens for the other inputs. */
  uris: string[];
  close(): Promise<void>;
}

export async function startPayloadDevice(
  server: { address: string; port: number },
  endpoint: string,
  secret: string,
  sign: ReturnType<typeof createSigner>,
): Promise<PayloadDevice> {
  const device: PayloadDevice = {
    peer: undefined as unknown as CoapPeer,
    endpoint,
    secret,
    sign,
    answers: () => ({ code: '4.04' }),
    uris: [],
    close: () => device.peer.close(),
  };
  device.peer = await openCoapPeer(server, (request) => {
    if (request.method === 'PUT' && request.path === '/5/0/1' && request.message.payload.length > 0)
      device.uris.push(request.message.payload.toString('utf8'));
    return device.answers(request);
  });
  return device;
}

const answer: fc.Arbitrary<PeerAnswer> = fc.oneof(
  {
    weight: 6,
    arbitrary: lwm2mPayload.map((p) => ({
      code: '2.05',
      payload: p.payload,
      contentFormat: p.contentFormat,
    })),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom('4.04', '4.05', '4.06', '5.00', '2.04', '2.05').map((code) => ({ code })),
  },
);

const note = fc.record({ path: fc.constantFrom('/5/0/3', '/5/0/5'), payload: lwm2mPayload });

/** Whether the server must do nothing with this notification: the codec refuses it, or its value means nothing. */
function isInert(path: string, payload: Buffer, format: number | undefined): boolean {
  let value: number;
  try {
    value = decodeResourceValue(payload, format, path === '/5/0/3' ? 3 : 5, 'integer') as number;
  } catch {
    return true;
  }
  // State 1..3 and Update Result 1..9 and 11 are events (result-codes.ts); 0 and 10 are not.
  return path === '/5/0/3'
    ? ![1, 2, 3].includes(value)
    : !(Number.isInteger(value) && value >= 1 && value <= 11 && value !== 10);
}

export async function fuzzPayloadDevice(
  device: PayloadDevice,
  f: DeviceFleet,
  deviceId: number,
  report: FuzzReport,
  target: string,
  seed: number,
): Promise<void> {
  const db = f.t.app.database.db;
  const [plan] = fc.sample(
    fc.record({
      answers: fc.array(answer, { minLength: 12, maxLength: 12 }),
      // Half the time /3/0/3 reads 1.0: the plan's upgrade is then offered and under way, and the
      // notifications that follow could move it.
      version: fc.boolean(),
      notes: fc.array(note, { maxLength: 6 }),
    }),
    { numRuns: 1, seed },
  );
  let n = 0;
  device.answers = (request) => {
    if (request.method !== 'GET') return { code: '2.04' };
    if (plan!.version && request.path === '/3/0/3' && !request.observe)
      return { code: '2.05', payload: Buffer.from('1.0'), contentFormat: contentFormats.text };
    return plan!.answers[n++ % 12]!;
  };
  const { peer } = device;
  const messageId = peer.nextMessageId();
  const register = encodeCoap({
    type: coapTypes.con,
    code: 'POST',
    messageId,
    token: Buffer.from([seed & 0xff, (seed >> 8) & 0xff, 7]),
    options: [
      ...uriOptions('/rd', [
        `ep=${device.endpoint}`,
        'lt=86400',
        'lwm2m=1.1',
        'b=U',
        ...device.sign.query(device.endpoint, device.secret),
      ]),
      { number: coapOptions.contentFormat, value: uintOption(contentFormats.linkFormat) },
    ],
    payload: Buffer.from('</1/0>,</3/0>,</4/0>,</5/0>'),
  });
  const { waitMs, done } = expectation(register);
  const answers = await peer.exchange(register, waitMs, done);
  const outcome = judgeAnswers(report, target, register, answers, { mustRefuse: false });
  if (!outcome.accepted) {
    report.find(target, 'a signed Register was refused', { code: outcome.code });
    return;
  }
  report.count('coap.payload-device.registered');
  await settle(peer, 120, 3000);
  report.count('coap.payload-device.server-requests', n);
  // The device's rows once the server is done with its registration (a check may write late).
  let rows = await rowsOf(db, [deviceId]);
  for (let i = 0; i < 10; i++) {
    await new Promise((resolve) => setTimeout(resolve, 30));
    const next = await rowsOf(db, [deviceId]);
    if (next === rows) break;
    rows = next;
  }
  const notes = plan!.notes.filter((x) => device.peer.observations.has(x.path));
  const inert = notes.filter((x) => isInert(x.path, x.payload.payload, x.payload.contentFormat));
  const meaningful = notes.filter((x) => !inert.includes(x));
  for (const x of [...inert, ...meaningful]) {
    const got = await peer.notify(x.path, x.payload.payload, x.payload.contentFormat, 1500);
    const reply = got.messages.find((m) => m.type === coapTypes.ack || m.type === coapTypes.rst);
    report.count(
      `coap.notification.${reply ? (reply.type === coapTypes.ack ? 'acked' : 'reset') : 'unanswered'}`,
    );
    if (!reply) report.find(target, 'a confirmable notification neither acknowledged nor reset', x);
    if (x === inert.at(-1) && (await rowsOf(db, [deviceId])) !== rows)
      report.find(
        target,
        'a notification without meaning changed state',
        inert.map((i) => ({ path: i.path, ...i.payload })),
      );
  }
}

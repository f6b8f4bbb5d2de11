// The CoAP fuzz target's rules for what came back for one input (RFC 7252): every datagram a
// well-formed CoAP message; a response on the request's token; what is not a version 1 CoAP
// message dropped or reset, never answered; a confirmable request acknowledged or reset; no
// 5.xx for bad input (5.05 for a proxy option and 5.01 for an unknown method excepted); a 2.xx
// neither for input that must be refused nor for a request with an unknown critical option.
import {
  CoapFormatError,
  type CoapMessage,
  coapOptions,
  coapTypes,
  optionTexts,
  parseCoap,
} from '../../packages/server/src/test-support/coap-raw.ts';
import { proxyOptions, unknownCritical } from './coap-inputs.ts';
import type { Answers } from './coap-peer.ts';
import type { FuzzReport } from './report.ts';

export interface Outcome {
  /** The response code, when one came (`2.01`, `4.03`…). */
  code: string | undefined;
  /** A final 2.xx (2.31 Continue is not one). */
  accepted: boolean;
  /** A 4.xx or 5.xx, or a reset. */
  refused: boolean;
  /** The registration's id in a 2.01's Location-Path (`/rd/{id}`). */
  location: string | undefined;
}

function requestOf(bytes: Buffer): CoapMessage | 'not-coap' | 'other-version' | 'not-request' {
  if (bytes.length > 0 && bytes[0]! >> 6 !== 1) return 'other-version';
  let message: CoapMessage;
  try {
    message = parseCoap(bytes);
  } catch (error) {
    if (error instanceof CoapFormatError) return 'not-coap';
    throw error;
  }
  const isRequest =
    message.code.startsWith('0.') &&
    message.code !== '0.00' &&
    (message.type === coapTypes.con || message.type === coapTypes.non);
  return isRequest ? message : 'not-request';
}

/**
 * How long to wait for what an input brings back: a request is answered within the carrier's
 * second (2.5 s allowed), and its answer ends the wait; anything else gets 150 ms for a reset.
 */
export function expectation(bytes: Buffer): { waitMs: number; done: (answers: Answers) => boolean } {
  const request = requestOf(bytes);
  if (typeof request === 'string') return { waitMs: 150, done: () => false };
  return {
    waitMs: 2500,
    done: (answers) =>
      answers.messages.some((m) =>
        m.messageId === request.messageId && (m.type === coapTypes.ack || m.type === coapTypes.rst)
          ? m.code !== '0.00' || m.type === coapTypes.rst
          : m.code !== '0.00' && m.token.equals(request.token),
      ),
  };
}

export function judgeAnswers(
  report: FuzzReport,
  target: string,
  bytes: Buffer,
  answers: Answers,
  { mustRefuse }: { mustRefuse: boolean },
): Outcome {
  const request = requestOf(bytes);
  const shown = (answer?: CoapMessage) => ({
    input: bytes.toString('hex').slice(0, 400),
    ...(answer && {
      answer: { type: answer.type, code: answer.code, payload: answer.payload.toString('utf8').slice(0, 80) },
    }),
  });
  const outcome: Outcome = { code: undefined, accepted: false, refused: false, location: undefined };
  for (const raw of answers.unparsable)
    report.find(target, 'malformed answer', { ...shown(), answer: raw.toString('hex') });
  report.count(`${target}.answers`, answers.messages.length);
  if (typeof request === 'string') report.count(`${target}.input.${request}`);
  const numbers = typeof request === 'string' ? [] : request.options.map((o) => o.number);
  for (const answer of answers.messages) {
    if (answer.version !== 1) report.find(target, 'malformed answer', shown(answer));
    if (request === 'other-version') {
      // RFC 7252 §3: a message of an unknown version is silently ignored.
      report.find(target, 'answered a message of another version', shown(answer));
      continue;
    }
    if (answer.type === coapTypes.rst) {
      report.count(`${target}.reset`);
      if (answer.code !== '0.00') report.find(target, 'reset that is not empty', shown(answer));
      outcome.refused = true;
      continue;
    }
    if (answer.code === '0.00') {
      if (answer.type !== coapTypes.ack || typeof request === 'string' || request.type !== coapTypes.con)
        report.find(target, 'empty message that acknowledges nothing', shown(answer));
      continue;
    }
    const klass = answer.code[0];
    report.count(`${target}.code.${answer.code}`);
    if (klass !== '2' && klass !== '4' && klass !== '5') {
      report.find(target, 'answer that is no response', shown(answer));
      continue;
    }
    if (typeof request !== 'string' && !answer.token.equals(request.token))
      report.find(target, 'answer on another token', shown(answer));
    outcome.code = answer.code;
    if (klass === '5') {
      const excused =
        (answer.code === '5.05' && proxyOptions.some((n) => numbers.includes(n))) ||
        (answer.code === '5.01' && typeof request !== 'string' && Number(request.code.slice(2)) > 4);
      if (!excused)
        report.find(
          target,
          answer.code === '5.00' ? '5.00 for bad input' : '5.xx for bad input',
          shown(answer),
        );
      outcome.refused = true;
      continue;
    }
    if (klass === '4') {
      outcome.refused = true;
      continue;
    }
    // 2.xx. A message that is no request, or not CoAP, is never one's cause.
    if (typeof request === 'string') {
      report.find(target, 'accepted a message that is no well-formed request', shown(answer));
      continue;
    }
    // RFC 7959 §2.9.1: 2.31 Continue asks for the next Block1 block; it accepts nothing yet.
    if (answer.code === '2.31') continue;
    outcome.accepted = true;
    if (mustRefuse) report.find(target, 'accepted input that must be refused', shown(answer));
    if (unknownCritical.some((n) => numbers.includes(n)))
      report.find(target, 'ignored an unknown critical option', shown(answer));
    const location = optionTexts(answer, coapOptions.locationPath);
    if (location[0] === 'rd' && location[1]) outcome.location = location[1];
  }
  if (typeof request !== 'string' && request.type === coapTypes.con) {
    const acknowledged = answers.messages.some(
      (m) => m.messageId === request.messageId && (m.type === coapTypes.ack || m.type === coapTypes.rst),
    );
    if (!acknowledged) report.find(target, 'confirmable request neither acknowledged nor reset', shown());
  }
  return outcome;
}

// A whole QuecThing OTA message: the frame, its TTLV payload and the typed message its command
// says. What the server and the SDK put on MQTT and read from it.
import { quectelDecisions } from './decisions.ts';
import { decodeFrame, encodeFrame, type QuectelFrame } from './frame.ts';
import { quectelCmd } from './ota-codes.ts';
import {
  decodeOtaErrorAnswer,
  decodeOtaEvent,
  decodeOtaFirmwareInfo,
  decodeOtaPlan,
  decodeOtaRequest,
  encodeOtaErrorAnswer,
  encodeOtaEvent,
  encodeOtaFirmwareInfo,
  encodeOtaPlan,
  encodeOtaRequest,
  type OtaErrorAnswer,
  type OtaEvent,
  type OtaFirmwareInfo,
  type OtaPlan,
  type OtaRequest,
} from './ota-messages.ts';
import { decodeTtlv, encodeTtlv, type TtlvNode } from './ttlv.ts';

export type QuectelMessage =
  | { kind: 'request'; request: OtaRequest }
  | { kind: 'plan'; plan: OtaPlan }
  | { kind: 'event'; event: OtaEvent }
  | { kind: 'firmware-info'; info: OtaFirmwareInfo }
  | { kind: 'error'; error: OtaErrorAnswer }
  /** Any other command (0x0112 included): its TTLV as it came. */
  | { kind: 'other'; cmd: number; nodes: TtlvNode[] };

function cmdAndPayload(message: QuectelMessage): { cmd: number; nodes: TtlvNode[] } {
  switch (message.kind) {
    case 'request':
      return { cmd: quectelCmd.otaRequest, nodes: encodeOtaRequest(message.request) };
    case 'plan':
      return { cmd: quectelCmd.otaNotify, nodes: encodeOtaPlan(message.plan) };
    case 'event':
      return { cmd: quectelCmd.otaEvent, nodes: encodeOtaEvent(message.event) };
    case 'firmware-info':
      return { cmd: quectelCmd.otaFirmwareInfo, nodes: encodeOtaFirmwareInfo(message.info) };
    case 'error':
      return { cmd: quectelDecisions.errorCmd, nodes: encodeOtaErrorAnswer(message.error) };
    case 'other':
      return { cmd: message.cmd, nodes: message.nodes };
  }
}

/** The framed, stuffed bytes of a message. */
export function encodeQuectelMessage(packetId: number, message: QuectelMessage): Buffer {
  const { cmd, nodes } = cmdAndPayload(message);
  return encodeFrame({ packetId, cmd, payload: encodeTtlv(nodes) });
}

/**
 * The message a received frame carries. Throws QuectelError and nothing else: a bad frame, bad
 * TTLV, or a payload that is not its command's message.
 */
export function decodeQuectelMessage(wire: Uint8Array): { packetId: number; message: QuectelMessage } {
  const frame = decodeFrame(wire);
  return { packetId: frame.packetId, message: decodeQuectelPayload(frame) };
}

/**
 * The message of a frame already checked (decodeFrame): a receiver that answers refusals decodes
 * in two steps, so that it knows the packet id even when the payload is refused. Throws
 * QuectelError only.
 */
export function decodeQuectelPayload(frame: QuectelFrame): QuectelMessage {
  const nodes = decodeTtlv(frame.payload);
  const cmd = frame.cmd;
  switch (cmd) {
    case quectelCmd.otaRequest:
      return { kind: 'request', request: decodeOtaRequest(nodes) };
    case quectelCmd.otaNotify:
      return { kind: 'plan', plan: decodeOtaPlan(nodes) };
    case quectelCmd.otaEvent:
      return { kind: 'event', event: decodeOtaEvent(nodes) };
    case quectelCmd.otaFirmwareInfo:
      return { kind: 'firmware-info', info: decodeOtaFirmwareInfo(nodes) };
    case quectelDecisions.errorCmd:
      return { kind: 'error', error: decodeOtaErrorAnswer(nodes) };
    default:
      return { kind: 'other', cmd, nodes };
  }
}

/** Packet ids 1..0xFFFE, one after the other (protocols.md §3.2: incremented per message). */
export function createPacketIds(start = 1): () => number {
  let next = Math.min(Math.max(1, Math.trunc(start)), 0xfffe);
  return () => {
    const id = next;
    next = next === 0xfffe ? 1 : next + 1;
    return id;
  };
}

// The OTA messages of protocols.md §3.2 as typed values, and their TTLV payloads. Fields Updraft
// adds (decisions.ts ids 8001..8007) are optional on the way in: a device written from the spec
// alone sends none of them. Decoders throw QuectelError only (QUECTEL_MESSAGE_INVALID for a
// well-formed payload that is not the message).
import { quectelDecisions } from './decisions.ts';
import { quectelOtaId as id, quectelLimits } from './ota-codes.ts';
import { QuectelError } from './quectel-error.ts';
import type { TtlvNode } from './ttlv.ts';
import { TtlvFields, ttlvArray, ttlvInt, ttlvString } from './ttlv-values.ts';

const own = quectelDecisions.ids;

/** The sub-device a gateway's command is about (§3.4, Updraft's wire form). */
export interface QuectelSubDevice {
  productKey: string;
  deviceKey: string;
}

/** 0x0115 ↑ the device asks for its plan. */
export interface OtaRequest {
  /** MODULE_VER (25). */
  moduleVersion?: string;
  /** MCU_VER (26), as sent (see mcu-versions.ts). */
  mcuVersion?: string;
  subDevice?: QuectelSubDevice;
}

/** One component of a plan (0x0111 fields 4 to 10 and 27, or an element of TASK_INFO). */
export interface OtaComponent {
  componentNo: string;
  /** 0 module firmware, 1 MCU firmware. */
  componentType: number;
  sourceVersion?: string;
  targetVersion: string;
  batteryLimit?: number;
  useSpace?: number;
  minSignal?: number;
  handleType?: number;
  /** Updraft's 8003. */
  packageType?: 'full' | 'delta';
}

/** 0x0111 ↓ the plan. */
export interface OtaPlan {
  components: OtaComponent[];
  subDevice?: QuectelSubDevice;
}

/** 0x0114 ↑ a status report. */
export interface OtaEvent {
  status: number;
  message?: string;
  componentNo?: string;
  componentType?: number;
  /** DOWN_SIGN (19), with a confirm: "sha256" asks for the sha256. */
  downSign?: string;
  moduleVersion?: string;
  mcuVersion?: string;
  /** Updraft's 8005 with status 5. */
  percent?: number;
  subDevice?: QuectelSubDevice;
}

export interface OtaFile {
  /** DOWN_INFO_IDEX (30), 1-based. */
  index: number;
  url: string;
  size: number;
  md5: string;
  crc?: string;
  sha256?: string;
  /** Updraft's 8004. */
  name?: string;
}

/** 0x0113 ↓ the firmware information: the one file's fields, and DOWN_INFO when there are several. */
export interface OtaFirmwareInfo {
  componentNo: string;
  componentType: number;
  targetVersion: string;
  url: string;
  size: number;
  md5: string;
  crc?: string;
  sha256?: string;
  name?: string;
  /** Every file (DOWN_INFO, 20) when the package has more than one. */
  files?: OtaFile[];
  subDevice?: QuectelSubDevice;
}

/** Updraft's error answer (decisions.ts errorCmd). */
export interface OtaErrorAnswer {
  code: number;
  message: string;
  packetId?: number;
  componentNo?: string;
  subDevice?: QuectelSubDevice;
}

function checkLength(value: string, max: number, field: string): string {
  if ([...value].length > max)
    throw new QuectelError('QUECTEL_MESSAGE_INVALID', `${field} is longer than ${max} characters`);
  return value;
}

function subDeviceNodes(sub: QuectelSubDevice | undefined): TtlvNode[] {
  return sub
    ? [ttlvString(own.subProductKey, sub.productKey), ttlvString(own.subDeviceKey, sub.deviceKey)]
    : [];
}

function readSubDevice(f: TtlvFields): { subDevice?: QuectelSubDevice } {
  const productKey = f.optionalString(own.subProductKey, 'sub-device product key');
  const deviceKey = f.optionalString(own.subDeviceKey, 'sub-device key');
  if (productKey === undefined && deviceKey === undefined) return {};
  if (!productKey || !deviceKey)
    throw new QuectelError(
      'QUECTEL_MESSAGE_INVALID',
      'a sub-device needs both its product key and device key',
    );
  return { subDevice: { productKey, deviceKey } };
}

const optional = <T>(key: string, value: T | undefined) => (value === undefined ? {} : { [key]: value });
const optionalNode = <T>(value: T | undefined, make: (v: T) => TtlvNode): TtlvNode[] =>
  value === undefined ? [] : [make(value)];

export function encodeOtaRequest(r: OtaRequest): TtlvNode[] {
  return [
    ...optionalNode(r.moduleVersion, (v) => ttlvString(id.moduleVersion, v)),
    ...optionalNode(r.mcuVersion, (v) => ttlvString(id.mcuVersion, v)),
    ...subDeviceNodes(r.subDevice),
  ];
}

export function decodeOtaRequest(nodes: readonly TtlvNode[]): OtaRequest {
  const f = new TtlvFields(nodes);
  return {
    ...optional('moduleVersion', f.optionalString(id.moduleVersion, 'MODULE_VER')),
    ...optional('mcuVersion', f.optionalString(id.mcuVersion, 'MCU_VER')),
    ...readSubDevice(f),
  };
}

function componentNodes(c: OtaComponent): TtlvNode[] {
  return [
    ttlvString(id.componentNo, checkLength(c.componentNo, quectelLimits.componentNoLength, 'COMPONENT_NO')),
    ...optionalNode(c.sourceVersion, (v) => ttlvString(id.sourceVersion, v)),
    ttlvString(
      id.targetVersion,
      checkLength(c.targetVersion, quectelLimits.targetVersionLength, 'TARGET_VER'),
    ),
    ttlvInt(id.componentType, c.componentType),
    ...optionalNode(c.batteryLimit, (v) => ttlvInt(id.batteryLimit, v)),
    ...optionalNode(c.useSpace, (v) => ttlvInt(id.useSpace, v)),
    ...optionalNode(c.minSignal, (v) => ttlvInt(id.minSignal, v)),
    ...optionalNode(c.handleType, (v) => ttlvInt(id.handleType, v)),
    ...optionalNode(c.packageType, (v) => ttlvInt(own.packageType, v === 'delta' ? 1 : 0)),
  ];
}

function readComponent(f: TtlvFields): OtaComponent {
  const packageType = f.optionalInt(own.packageType, 'package type');
  if (packageType !== undefined && packageType !== 0 && packageType !== 1)
    throw new QuectelError('QUECTEL_MESSAGE_INVALID', `package type ${packageType}`);
  return {
    componentNo: checkLength(
      f.string(id.componentNo, 'COMPONENT_NO'),
      quectelLimits.componentNoLength,
      'COMPONENT_NO',
    ),
    componentType: f.int(id.componentType, 'COMPONENT_TYPE'),
    ...optional('sourceVersion', f.optionalString(id.sourceVersion, 'SOURCE_VER')),
    targetVersion: checkLength(
      f.string(id.targetVersion, 'TARGET_VER'),
      quectelLimits.targetVersionLength,
      'TARGET_VER',
    ),
    ...optional('batteryLimit', f.optionalInt(id.batteryLimit, 'BATTERY_LIMIT')),
    ...optional('useSpace', f.optionalInt(id.useSpace, 'USE_SPACE')),
    ...optional('minSignal', f.optionalInt(id.minSignal, 'MIN_SIGNAL')),
    ...optional('handleType', f.optionalInt(id.handleType, 'HANDLE_TYPE')),
    ...optional('packageType', packageType === undefined ? undefined : packageType === 1 ? 'delta' : 'full'),
  };
}

/** One component as the flat fields of 0x0111; several as TASK_INFO (28), at most 20. */
export function encodeOtaPlan(plan: OtaPlan): TtlvNode[] {
  const { components } = plan;
  if (components.length === 0 || components.length > quectelLimits.components)
    throw new QuectelError('QUECTEL_INVALID_ARGUMENT', `a plan of ${components.length} components`);
  const body =
    components.length === 1
      ? componentNodes(components[0]!)
      : [ttlvArray(id.taskInfo, components.map(componentNodes))];
  return [...body, ...subDeviceNodes(plan.subDevice)];
}

export function decodeOtaPlan(nodes: readonly TtlvNode[]): OtaPlan {
  const f = new TtlvFields(nodes);
  const tasks = f.optionalArray(id.taskInfo, 'TASK_INFO');
  const components = tasks ? tasks.map(readComponent) : [readComponent(f)];
  if (components.length === 0 || components.length > quectelLimits.components)
    throw new QuectelError('QUECTEL_MESSAGE_INVALID', `a plan of ${components.length} components`);
  return { components, ...readSubDevice(f) };
}

export function encodeOtaEvent(e: OtaEvent): TtlvNode[] {
  return [
    ttlvInt(id.status, e.status),
    ...optionalNode(e.message, (v) => ttlvString(id.message, v)),
    ...optionalNode(e.componentType, (v) => ttlvInt(id.componentType, v)),
    ...optionalNode(e.componentNo, (v) => ttlvString(id.componentNo, v)),
    ...optionalNode(e.downSign, (v) => ttlvString(id.downSign, v)),
    ...optionalNode(e.moduleVersion, (v) => ttlvString(id.moduleVersion, v)),
    ...optionalNode(e.mcuVersion, (v) => ttlvString(id.mcuVersion, v)),
    ...optionalNode(e.percent, (v) => ttlvInt(own.downloadPercent, v)),
    ...subDeviceNodes(e.subDevice),
  ];
}

export function decodeOtaEvent(nodes: readonly TtlvNode[]): OtaEvent {
  const f = new TtlvFields(nodes);
  const componentNo = f.optionalString(id.componentNo, 'COMPONENT_NO');
  if (componentNo !== undefined) checkLength(componentNo, quectelLimits.componentNoLength, 'COMPONENT_NO');
  const percent = f.optionalInt(own.downloadPercent, 'download percentage');
  if (percent !== undefined && (percent < 0 || percent > 100))
    throw new QuectelError('QUECTEL_MESSAGE_INVALID', `download percentage ${percent}`);
  return {
    status: f.int(id.status, 'STATUS'),
    ...optional('message', f.optionalString(id.message, 'MESSAGE')),
    ...optional('componentNo', componentNo),
    ...optional('componentType', f.optionalInt(id.componentType, 'COMPONENT_TYPE')),
    ...optional('downSign', f.optionalString(id.downSign, 'DOWN_SIGN')),
    ...optional('moduleVersion', f.optionalString(id.moduleVersion, 'MODULE_VER')),
    ...optional('mcuVersion', f.optionalString(id.mcuVersion, 'MCU_VER')),
    ...optional('percent', percent),
    ...readSubDevice(f),
  };
}

function fileNodes(file: Omit<OtaFile, 'index'>): TtlvNode[] {
  return [
    ttlvString(id.downUrl, file.url),
    ttlvInt(id.downSize, file.size),
    ttlvString(id.downMd5, file.md5),
    ...optionalNode(file.crc, (v) => ttlvString(id.downCrc, v)),
    ...optionalNode(file.sha256, (v) => ttlvString(id.downSha256, v)),
    ...optionalNode(file.name, (v) => ttlvString(own.fileName, v)),
  ];
}

function readFile(f: TtlvFields): Omit<OtaFile, 'index'> {
  return {
    url: f.string(id.downUrl, 'DOWN_URL'),
    size: f.int(id.downSize, 'DOWN_SIZE'),
    md5: f.string(id.downMd5, 'DOWN_MD5'),
    ...optional('crc', f.optionalString(id.downCrc, 'DOWN_CRC')),
    ...optional('sha256', f.optionalString(id.downSha256, 'DOWN_SHA256')),
    ...optional('name', f.optionalString(own.fileName, 'file name')),
  };
}

export function encodeOtaFirmwareInfo(info: OtaFirmwareInfo): TtlvNode[] {
  if (info.files && info.files.length > quectelLimits.files)
    throw new QuectelError('QUECTEL_INVALID_ARGUMENT', `${info.files.length} files`);
  return [
    ...fileNodes(info),
    ttlvString(id.componentNo, info.componentNo),
    ttlvString(id.targetVersion, info.targetVersion),
    ttlvInt(id.componentType, info.componentType),
    ...optionalNode(info.files, (files) =>
      ttlvArray(
        id.downInfo,
        files.map((file) => [...fileNodes(file), ttlvInt(id.downInfoIndex, file.index)]),
      ),
    ),
    ...subDeviceNodes(info.subDevice),
  ];
}

export function decodeOtaFirmwareInfo(nodes: readonly TtlvNode[]): OtaFirmwareInfo {
  const f = new TtlvFields(nodes);
  const files = f
    .optionalArray(id.downInfo, 'DOWN_INFO')
    ?.map((element) => ({ ...readFile(element), index: element.int(id.downInfoIndex, 'DOWN_INFO_IDEX') }));
  if (files && files.length > quectelLimits.files)
    throw new QuectelError('QUECTEL_MESSAGE_INVALID', `${files.length} files`);
  return {
    ...readFile(f),
    componentNo: f.string(id.componentNo, 'COMPONENT_NO'),
    targetVersion: f.string(id.targetVersion, 'TARGET_VER'),
    componentType: f.int(id.componentType, 'COMPONENT_TYPE'),
    ...optional('files', files),
    ...readSubDevice(f),
  };
}

export function encodeOtaErrorAnswer(answer: OtaErrorAnswer): TtlvNode[] {
  return [
    ttlvInt(own.errorCode, answer.code),
    ttlvString(id.message, answer.message),
    ...optionalNode(answer.packetId, (v) => ttlvInt(own.answeredPacketId, v)),
    ...optionalNode(answer.componentNo, (v) => ttlvString(id.componentNo, v)),
    ...subDeviceNodes(answer.subDevice),
  ];
}

export function decodeOtaErrorAnswer(nodes: readonly TtlvNode[]): OtaErrorAnswer {
  const f = new TtlvFields(nodes);
  return {
    code: f.int(own.errorCode, 'error code'),
    message: f.string(id.message, 'MESSAGE'),
    ...optional('packetId', f.optionalInt(own.answeredPacketId, 'answered packet id')),
    ...optional('componentNo', f.optionalString(id.componentNo, 'COMPONENT_NO')),
    ...readSubDevice(f),
  };
}

// ThingsPanel OTA over MQTT (protocols.md §1, v0.5 contract with §0's corrections).
//   device -> platform  ota/device/inform     {id, params:{version, module}}
//   platform -> device  ota/device/inform/{AccessToken}  {id, code, params:{version,size,url,signMethod,sign,module,extData}}
//   device -> platform  ota/device/progress   {step, desc, module}   step 1..100 | -1..-4
// v1 devices use ota/devices/progress and receive on ota/devices/inform/{device_number}.
//
// Updraft's additions (docs/mqtt.md): the AccessToken is the MQTT username
// `{productKey}.{deviceName}`; `ota/up/{username}/inform|progress` carry the same payloads on
// topics that name their sender, for brokers that cannot tell Updraft who published a message
// (external brokers); a gateway names a sub-device with the field `device` (its username) in
// uplinks, and pushes for a sub-device arrive on the gateway's own topic with that field.
export const otaTopics = {
  inform: 'ota/device/inform',
  progress: 'ota/device/progress',
  progressV1: 'ota/devices/progress',
  pushV05: (accessToken: string) => `ota/device/inform/${accessToken}`,
  pushV1: (deviceNumber: string) => `ota/devices/inform/${deviceNumber}`,
  uplink: (username: string, kind: 'inform' | 'progress') => `ota/up/${username}/${kind}`,
} as const;

/** The payload field in which a gateway names the sub-device a message is about. */
export const subDeviceField = 'device';

export interface VersionInform {
  id: string;
  version: string;
  module: string;
}

export interface ProgressReport {
  /** 1..100 percent, or -1 failed, -2 download failed, -3 check failed, -4 write failed. */
  step: number;
  desc: string;
  module: string;
}

export interface UpgradePush {
  id: string;
  code: number;
  params: {
    version: string;
    size: number;
    url: string;
    signMethod: 'MD5' | 'SHA256';
    sign: string;
    module?: string;
    extData: Record<string, string>;
  };
}

export type MessageProblem = { problem: string };

const versionPattern = /^[A-Za-z0-9._-]{1,50}$/;
const modulePattern = /^[A-Za-z0-9._-]{1,32}$/;

function parseJsonObject(payload: Uint8Array | string): { body: Record<string, unknown> } | MessageProblem {
  const text =
    typeof payload === 'string' ? payload : new TextDecoder('utf-8', { fatal: false }).decode(payload);
  if (text.length > 16 * 1024) return { problem: 'payload larger than 16 KiB' };
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      return { problem: 'payload is not a JSON object' };
    return { body: value as Record<string, unknown> };
  } catch {
    return { problem: 'payload is not JSON' };
  }
}

/** Reads a version inform; the module defaults to `default` (the whole firmware). */
export function parseVersionInform(payload: Uint8Array | string): VersionInform | MessageProblem {
  const parsed = parseJsonObject(payload);
  if ('problem' in parsed) return parsed;
  const { body } = parsed;
  const params = body['params'];
  if (typeof params !== 'object' || params === null) return { problem: 'params is missing' };
  const { version, module } = params as Record<string, unknown>;
  if (typeof version !== 'string' || !versionPattern.test(version))
    return { problem: 'params.version is not a version name' };
  if (module !== undefined && (typeof module !== 'string' || !modulePattern.test(module))) {
    return { problem: 'params.module is not a module name' };
  }
  const id = body['id'];
  return {
    id: typeof id === 'string' || typeof id === 'number' ? String(id) : '',
    version,
    module: (module as string) ?? 'default',
  };
}

/** Reads a progress report; `step` may be a string or a number (a float is truncated, as ThingsPanel does). */
export function parseProgressReport(payload: Uint8Array | string): ProgressReport | MessageProblem {
  const parsed = parseJsonObject(payload);
  if ('problem' in parsed) return parsed;
  const { body } = parsed;
  const raw = body['step'];
  const step =
    typeof raw === 'number'
      ? Math.trunc(raw)
      : typeof raw === 'string' && /^-?\d+(\.\d+)?$/.test(raw.trim())
        ? Math.trunc(Number(raw))
        : Number.NaN;
  if (!Number.isFinite(step) || step === 0 || step > 100 || step < -4)
    return { problem: 'step is not 1..100 or -1..-4' };
  const desc = body['desc'];
  if (desc !== undefined && typeof desc !== 'string') return { problem: 'desc is not a string' };
  const module = body['module'];
  if (module !== undefined && module !== '' && (typeof module !== 'string' || !modulePattern.test(module))) {
    return { problem: 'module is not a module name' };
  }
  return {
    step,
    desc: (desc ?? '').slice(0, 128),
    module: typeof module === 'string' && module !== '' ? module : 'default',
  };
}

/** The push message; per §1.4 the `module` field is left out for the default module. */
export function buildUpgradePush(input: {
  id: string;
  version: string;
  size: number;
  url: string;
  signMethod: 'md5' | 'sha256';
  sign: string;
  module: string;
  extData: Record<string, string>;
}): UpgradePush {
  return {
    id: input.id,
    code: 200,
    params: {
      version: input.version,
      size: input.size,
      url: input.url,
      signMethod: input.signMethod === 'md5' ? 'MD5' : 'SHA256',
      sign: input.sign,
      ...(input.module !== 'default' && { module: input.module }),
      extData: input.extData,
    },
  };
}

/** Updraft's answer to an uplink it dropped, on the device's push topic (docs/mqtt.md). */
export interface OtaErrorReply {
  /** The `id` of the message refused, when it had one. */
  id: string;
  /** 400 malformed, 403 not allowed, 404 unknown module or device, 409 no upgrade takes it now. */
  code: 400 | 403 | 404 | 409;
  message: string;
  /** The sub-device a gateway's message was about. */
  device?: string;
}

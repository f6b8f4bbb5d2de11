// ThingsPanel OTA over MQTT (protocols.md §1, v0.5 contract with §0's corrections).
//   device -> platform  ota/device/inform     {id, params:{version, module}}
//   platform -> device  ota/device/inform/{AccessToken}  {id, code, params:{version,size,url,signMethod,sign,module,extData}}
//   device -> platform  ota/device/progress   {step, desc, module}   step 1..100 | -1..-4
// v1 devices (§1.1) report on ota/devices/progress (the same payload; there is no inform) and
// receive on ota/devices/inform/{device_number}, or on the typo topic ota/devices/infrom/{…} that
// v1's default configuration publishes to; Updraft's device_number is the username.
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
  /** v1's default configuration publishes here (protocols.md §0.2), a product option in Updraft. */
  pushV1Typo: (deviceNumber: string) => `ota/devices/infrom/${deviceNumber}`,
  uplink: (username: string, kind: 'inform' | 'progress') => `ota/up/${username}/${kind}`,
  /** v1 progress on a topic that names its sender, for external brokers (Updraft's addition). */
  uplinkV1: (deviceNumber: string) => `ota/devices/progress/${deviceNumber}`,
} as const;

/** The payload field in which a gateway names the sub-device a message is about. */
export const subDeviceField = 'device';

export interface VersionInform {
  id: string;
  version: string;
  module: string;
  /**
   * Updraft's addition for reconciliation (docs/mqtt.md): the device's current upgrade, its
   * target `version` and the last `step` it took (1..100, -1..-4; 0: offered, not started), or
   * null when none is under way. Absent: a plain ThingsPanel inform. `relink`: the links it
   * holds no longer download (410): the upgrade is pushed again with new ones.
   */
  upgrade?: { version: string; step: number; relink?: boolean } | null;
}

export interface ProgressReport {
  /** 1..100 percent, or -1 failed, -2 download failed, -3 check failed, -4 write failed; 0 with `refused`. */
  step: number;
  desc: string;
  module: string;
  /**
   * Updraft's addition (docs/mqtt.md): `"refused": true` instead of a step, the device declines
   * the pushed offer (Quectel's status 3); `desc` may say why.
   */
  refused?: true;
  /**
   * Updraft's addition (docs/mqtt.md, "Health after the install"): `"healthy": true|false`
   * instead of a step, the device's health after it runs the new version (a plan's health
   * window); `version` the version it runs (unhealthy and back on the old one), `desc` why.
   */
  health?: { healthy: boolean; version?: string };
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
  const upgrade = (params as Record<string, unknown>)['upgrade'];
  let statement: VersionInform['upgrade'];
  if (upgrade === null) statement = null;
  else if (upgrade !== undefined) {
    const {
      version: target,
      step,
      relink,
    } = (typeof upgrade === 'object' ? upgrade : {}) as Record<string, unknown>;
    if (typeof target !== 'string' || !versionPattern.test(target))
      return { problem: 'params.upgrade.version is not a version name' };
    if (typeof step !== 'number' || !Number.isInteger(step) || step > 100 || step < -4)
      return { problem: 'params.upgrade.step is not 0..100 or -1..-4' };
    if (relink !== undefined && typeof relink !== 'boolean')
      return { problem: 'params.upgrade.relink is not a boolean' };
    statement = { version: target, step, ...(relink === true && { relink }) };
  }
  return {
    id: typeof id === 'string' || typeof id === 'number' ? String(id) : '',
    version,
    module: (module as string) ?? 'default',
    ...(statement !== undefined && { upgrade: statement }),
  };
}

/** Reads a progress report; `step` may be a string or a number (a float is truncated, as ThingsPanel does). */
export function parseProgressReport(payload: Uint8Array | string): ProgressReport | MessageProblem {
  const parsed = parseJsonObject(payload);
  if ('problem' in parsed) return parsed;
  const { body } = parsed;
  const refused = body['refused'];
  if (refused !== undefined && refused !== true) return { problem: 'refused is not true' };
  const health = readHealth(body);
  if (typeof health === 'string') return { problem: health };
  if (health !== undefined && (refused !== undefined || body['step'] !== undefined))
    return { problem: 'a health report has no step and no refusal' };
  const raw = (refused === true || health !== undefined) && body['step'] === undefined ? 0 : body['step'];
  const step =
    typeof raw === 'number'
      ? Math.trunc(raw)
      : typeof raw === 'string' && /^-?\d+(\.\d+)?$/.test(raw.trim())
        ? Math.trunc(Number(raw))
        : Number.NaN;
  if (refused === true && step !== 0) return { problem: 'a refusal has no step' };
  if (
    refused !== true &&
    health === undefined &&
    (!Number.isFinite(step) || step === 0 || step > 100 || step < -4)
  )
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
    ...(refused === true && { refused: true as const }),
    ...(health !== undefined && { health }),
  };
}

/** `healthy` (and `version`) of a health report, undefined when absent, or what is wrong. */
function readHealth(body: Record<string, unknown>): ProgressReport['health'] | string | undefined {
  const healthy = body['healthy'];
  if (healthy === undefined) return undefined;
  if (typeof healthy !== 'boolean') return 'healthy is not true or false';
  const version = body['version'];
  if (version === undefined) return { healthy };
  if (typeof version !== 'string' || version === '' || version.length > 64)
    return 'version is not a text of 1 to 64 characters';
  return { healthy, version };
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

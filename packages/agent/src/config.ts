// The agent's configuration: one JSON file (default /etc/updraft/agent.json), read and checked once
// at start, then frozen. Every mistake names its key; the agent exits with EX_CONFIG (78), which
// the systemd unit does not restart on. docs/agent.md lists every key.
import { readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';

/** Where a module's running version is read from. */
export type VersionSource =
  /** The version the module ships with; the state folder remembers later ones. */
  | { kind: 'fixed'; version: string }
  /** A file holding the version, or a `KEY=value` file (os-release) and the key to read. */
  | { kind: 'file'; path: string; key?: string }
  /** A shell command that prints the version. */
  | { kind: 'command'; command: string };

export interface ModuleConfig {
  /** The install hook: an executable's absolute path (ready-made ones resolved already). */
  hook: string;
  version: VersionSource;
  /** More environment for the hook (the script hook's TARGET, SERVICE). */
  env: Readonly<Record<string, string>>;
  /** Shell command that exits 0 when the new version is healthy; null: none. */
  healthCheck: string | null;
  /** The running image, read for delta packages (a file or a block device). */
  deltaSource: string | null;
  /** OneNET's manufacturer and model codes of the module (HTTP checks); null: OneNET's "other". */
  codes: { manufacturer: string; model: string } | null;
}

export interface TelemetryCommands {
  battery: string | null;
  signal: string | null;
}

export interface SubDeviceConfig {
  username: string;
  deviceId: number | null;
  modules: Readonly<Record<string, ModuleConfig>>;
  telemetry: TelemetryCommands;
}

export interface AgentConfig {
  server: string;
  /**
   * The SDK's transports (docs/sdk.md): OneNET legacy or Studio over HTTP, ThingsPanel v0.5 or v1
   * or Quectel over MQTT, LwM2M over CoAP.
   */
  transport: 'http' | 'onenet-studio' | 'mqtt' | 'thingspanel-v1' | 'quectel' | 'lwm2m';
  mqttUrl: string | null;
  /** coap://host:port of the server's LwM2M port, for `lwm2m`. */
  coapUrl: string | null;
  credentials: { productKey: string; name: string; secret: string };
  stateDir: string;
  /** HTTP: how often the agent asks for upgrades; both: how soon it retries a failed start. */
  pollSeconds: number;
  healthTimeoutSeconds: number;
  hookTimeoutSeconds: number;
  rebootCommand: string;
  /** Read to tell whether the machine restarted since the agent asked for a reboot. */
  bootIdFile: string;
  telemetry: TelemetryCommands;
  modules: Readonly<Record<string, ModuleConfig>>;
  subDevices: readonly SubDeviceConfig[];
}

/** The ready-made hooks shipped with the agent (packages/agent/hooks). */
export const readyMadeHooks = ['rauc', 'swupdate', 'script'] as const;

export class AgentConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  readonly key: string;
  constructor(key: string, message: string) {
    super(`configuration: ${key}: ${message}`);
    this.name = 'AgentConfigError';
    this.key = key;
  }
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads the fields of one JSON object, each checked and named by its path for errors. */
function fieldsOf(value: unknown, path: string, known: readonly string[]) {
  if (!isObject(value)) throw new AgentConfigError(path || '(top level)', 'must be an object');
  const at = (key: string) => (path ? `${path}.${key}` : key);
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) throw new AgentConfigError(at(key), `unknown key (known: ${known.join(', ')})`);
  }
  const fields = {
    string(key: string, fallback?: string): string {
      const v = value[key] ?? fallback;
      if (typeof v !== 'string' || v === '')
        throw new AgentConfigError(at(key), 'must be a non-empty string');
      return v;
    },
    optionalString(key: string): string | null {
      return value[key] === undefined || value[key] === null ? null : fields.string(key);
    },
    number(key: string, fallback: number, min: number): number {
      const v = value[key] ?? fallback;
      if (typeof v !== 'number' || !Number.isFinite(v) || v < min) {
        throw new AgentConfigError(at(key), `must be a number of at least ${min}`);
      }
      return v;
    },
    raw: (key: string) => value[key],
    at,
  };
  return fields;
}

function url(key: string, text: string, protocols: string[]): string {
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    throw new AgentConfigError(key, `${text} is not a URL`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new AgentConfigError(key, `${text}: the scheme must be ${protocols.join(' or ')}`);
  }
  return text;
}

function versionSource(raw: unknown, path: string): VersionSource {
  if (typeof raw === 'string' && raw !== '') return { kind: 'fixed', version: raw };
  if (isObject(raw) && 'file' in raw) {
    const f = fieldsOf(raw, path, ['file', 'key']);
    const key = f.optionalString('key');
    return { kind: 'file', path: absolute(f.at('file'), f.string('file')), ...(key !== null && { key }) };
  }
  if (isObject(raw) && 'command' in raw) {
    return { kind: 'command', command: fieldsOf(raw, path, ['command']).string('command') };
  }
  throw new AgentConfigError(
    path,
    'must be a version ("1.0"), {"file": PATH[, "key": KEY]} or {"command": CMD}',
  );
}

function absolute(key: string, path: string): string {
  if (!isAbsolute(path)) throw new AgentConfigError(key, `${path} must be an absolute path`);
  return path;
}

function hookPath(key: string, hook: string, hooksDir: string): string {
  const path = (readyMadeHooks as readonly string[]).includes(hook)
    ? join(hooksDir, hook)
    : absolute(key, hook);
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat?.isFile() || (stat.mode & 0o111) === 0) {
    throw new AgentConfigError(key, `${path} is not an executable file`);
  }
  return path;
}

function modulesOf(raw: unknown, path: string, hooksDir: string, healthCheck: string | null) {
  if (!isObject(raw) || Object.keys(raw).length === 0) {
    throw new AgentConfigError(
      path,
      'must name at least one module, e.g. {"default": {"hook": "script", …}}',
    );
  }
  const modules: Record<string, ModuleConfig> = {};
  for (const [name, value] of Object.entries(raw)) {
    const at = `${path}.${name}`;
    const f = fieldsOf(value, at, ['hook', 'version', 'env', 'healthCheck', 'deltaSource', 'codes']);
    const env = f.raw('env') ?? {};
    if (!isObject(env) || Object.values(env).some((v) => typeof v !== 'string')) {
      throw new AgentConfigError(`${at}.env`, 'must map names to strings');
    }
    const deltaSource = f.optionalString('deltaSource');
    modules[name] = Object.freeze({
      hook: hookPath(`${at}.hook`, f.string('hook'), hooksDir),
      version: Object.freeze(versionSource(f.raw('version'), `${at}.version`)),
      env: Object.freeze({ ...(env as Record<string, string>) }),
      // `"healthCheck": null` turns the agent's own off for this module.
      healthCheck: f.raw('healthCheck') === null ? null : (f.optionalString('healthCheck') ?? healthCheck),
      deltaSource: deltaSource === null ? null : absolute(`${at}.deltaSource`, deltaSource),
      codes: codesOf(f.raw('codes'), `${at}.codes`),
    });
  }
  return Object.freeze(modules);
}

function codesOf(raw: unknown, path: string): ModuleConfig['codes'] {
  if (raw === undefined || raw === null) return null;
  const f = fieldsOf(raw, path, ['manufacturer', 'model']);
  return Object.freeze({ manufacturer: f.string('manufacturer'), model: f.string('model') });
}

function telemetryOf(raw: unknown, path: string): TelemetryCommands {
  if (raw === undefined) return Object.freeze({ battery: null, signal: null });
  const f = fieldsOf(raw, path, ['battery', 'signal']);
  return Object.freeze({ battery: f.optionalString('battery'), signal: f.optionalString('signal') });
}

function credentialsOf(raw: unknown, configFile: string) {
  let value = raw;
  let key = 'credentials';
  if (typeof raw === 'string') {
    // A path (relative to the config file) to a JSON file of its own, readable by root only.
    const file = resolve(dirname(configFile), raw);
    key = file;
    try {
      value = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new AgentConfigError('credentials', `cannot read ${file}: ${(error as Error).message}`);
    }
  }
  const f = fieldsOf(value, key, ['productKey', 'name', 'secret']);
  return Object.freeze({
    productKey: f.string('productKey'),
    name: f.string('name'),
    secret: f.string('secret'),
  });
}

/** Checks a parsed configuration; `file` locates relative credential paths. */
export function parseConfig(raw: unknown, file: string, hooksDir: string): AgentConfig {
  const f = fieldsOf(raw, '', [
    'server',
    'transport',
    'mqttUrl',
    'coapUrl',
    'credentials',
    'stateDir',
    'pollSeconds',
    'healthCheck',
    'healthTimeoutSeconds',
    'hookTimeoutSeconds',
    'rebootCommand',
    'bootIdFile',
    'telemetry',
    'modules',
    'subDevices',
  ]);
  const transport = f.string('transport', 'http');
  if (
    transport !== 'http' &&
    transport !== 'mqtt' &&
    transport !== 'onenet-studio' &&
    transport !== 'thingspanel-v1' &&
    transport !== 'quectel' &&
    transport !== 'lwm2m'
  )
    throw new AgentConfigError(
      'transport',
      'must be http or mqtt (or onenet-studio, thingspanel-v1, quectel, lwm2m)',
    );
  const mqttUrl = f.optionalString('mqttUrl');
  if ((transport === 'mqtt' || transport === 'thingspanel-v1' || transport === 'quectel') && mqttUrl === null)
    throw new AgentConfigError('mqttUrl', 'the MQTT transport needs it');
  const coapUrl = f.optionalString('coapUrl');
  if (transport === 'lwm2m' && coapUrl === null)
    throw new AgentConfigError('coapUrl', 'the lwm2m transport needs it');
  const healthCheck = f.optionalString('healthCheck');
  const stateDir = absolute('stateDir', f.string('stateDir', '/var/lib/updraft-agent'));
  const subRaw = f.raw('subDevices') ?? [];
  if (!Array.isArray(subRaw)) throw new AgentConfigError('subDevices', 'must be a list');
  const subDevices = subRaw.map((sub, index) => {
    const at = `subDevices[${index}]`;
    if (transport === 'lwm2m') throw new AgentConfigError(at, 'the lwm2m transport has no sub-devices');
    const s = fieldsOf(sub, at, ['username', 'deviceId', 'modules', 'telemetry']);
    const username = s.string('username');
    if (!/^[^./\s]+\.[^/\s]+$/.test(username)) {
      throw new AgentConfigError(`${at}.username`, 'must be {productKey}.{deviceName}');
    }
    const deviceId = s.raw('deviceId') === undefined ? null : s.number('deviceId', 0, 1);
    if (transport === 'http' && deviceId === null) {
      throw new AgentConfigError(`${at}.deviceId`, 'the HTTP transport names sub-devices by id');
    }
    return Object.freeze({
      username,
      deviceId,
      modules: modulesOf(s.raw('modules'), `${at}.modules`, hooksDir, healthCheck),
      telemetry: telemetryOf(s.raw('telemetry'), `${at}.telemetry`),
    });
  });
  return Object.freeze({
    server: url('server', f.string('server'), ['http:', 'https:']).replace(/\/$/, ''),
    transport,
    mqttUrl: mqttUrl === null ? null : url('mqttUrl', mqttUrl, ['mqtt:', 'mqtts:']),
    coapUrl: coapUrl === null ? null : url('coapUrl', coapUrl, ['coap:']),
    credentials: credentialsOf(f.raw('credentials'), file),
    stateDir,
    pollSeconds: f.number('pollSeconds', 300, 1),
    healthTimeoutSeconds: f.number('healthTimeoutSeconds', 300, 1),
    hookTimeoutSeconds: f.number('hookTimeoutSeconds', 3600, 1),
    rebootCommand: f.string('rebootCommand', 'systemctl reboot'),
    bootIdFile: absolute('bootIdFile', f.string('bootIdFile', '/proc/sys/kernel/random/boot_id')),
    telemetry: telemetryOf(f.raw('telemetry'), 'telemetry'),
    modules:
      f.raw('modules') === undefined && subDevices.length > 0
        ? Object.freeze({})
        : modulesOf(f.raw('modules'), 'modules', hooksDir, healthCheck),
    subDevices: Object.freeze(subDevices),
  });
}

/** Reads and checks the configuration file. */
export function loadConfig(file: string, hooksDir: string): AgentConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new AgentConfigError(file, `cannot read it: ${(error as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new AgentConfigError(file, `is not JSON: ${(error as Error).message}`);
  }
  return parseConfig(raw, file, hooksDir);
}

// Configuration is read once at boot from UPDRAFT_* variables and an optional JSON file
// (UPDRAFT_CONFIG=path), validated against config-schema.ts, then frozen. Nothing else in
// Updraft reads process.env.
import { readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { type Setting, settings } from './config-schema.ts';
import { parseTrustProxy, type TrustProxy } from './trust-proxy.ts';

/** The largest object S3 copies in one CopyObject request (5 GiB), so the largest S3 blob. */
export const s3MaxBlobBytes = 5 * 1024 ** 3;

export interface Config {
  readonly dataDir: string;
  readonly httpHost: string;
  readonly httpPort: number;
  readonly httpIdleTimeoutSeconds: number;
  readonly httpHeadersTimeoutSeconds: number;
  readonly httpRequestTimeoutSeconds: number;
  readonly httpKeepAliveTimeoutSeconds: number;
  /** Peers whose X-Forwarded-For names the client (Fastify's trustProxy); false: none. */
  readonly trustProxy: TrustProxy;
  readonly publicUrl: string | null;
  readonly database:
    | { readonly kind: 'sqlite'; readonly path: string }
    | { readonly kind: 'postgres'; readonly url: string };
  readonly migrate: 'auto' | 'never';
  readonly mqttPort: number;
  readonly mqttUrl: string | null;
  readonly mqttHost: string;
  readonly mqttTlsCert: string | null;
  readonly mqttTlsKey: string | null;
  readonly mqttPushRate: number;
  readonly mqttShareGroup: string;
  readonly mqttClientId: string | null;
  readonly mqttSessionExpiry: number;
  readonly mqttConnectTimeoutSeconds: number;
  readonly mqttAuthToken: string | null;
  readonly coapPort: number;
  readonly coapHost: string;
  readonly coapPublicUrl: string | null;
  readonly lwm2mAuth: 'signature' | 'none';
  readonly firmwareDir: string;
  readonly storageMinFreeMb: number;
  readonly firmwareStore: 'fs' | 's3';
  readonly s3Endpoint: string | null;
  readonly s3Region: string | null;
  readonly s3Bucket: string | null;
  /** Empty, or ending in "/". */
  readonly s3Prefix: string;
  readonly s3PathStyle: boolean;
  readonly blobGraceHours: number;
  readonly s3Downloads: 'redirect' | 'proxy';
  readonly s3UrlTtlSeconds: number;
  readonly firmwareMaxFileBytes: number;
  readonly firmwareMaxFiles: number;
  readonly firmwareExtensions: readonly string[];
  readonly importMaxBytes: number;
  readonly sessionTtlHours: number;
  readonly downloadTokenTtlHours: number;
  readonly onenetStudioPrefixes: readonly string[];
  readonly downloadAccel: 'off' | 'nginx';
  readonly downloadAccelPrefix: string;
  readonly firmwareCacheBytes: number;
  readonly adminUsername: string;
  readonly adminPassword: string | null;
  /** UPDRAFT_SECURE_COOKIES, or true by itself when the public URL is https. */
  readonly secureCookies: boolean;
  readonly secretFile: string;
  /** The server's own Ed25519 signing key (PEM file), or null: it holds none (docs/signing.md). */
  readonly signingKeyFile: string | null;
  readonly secret: string | null;
  readonly loginMaxPerAccount: number;
  readonly loginMaxPerAddress: number;
  readonly loginWindowMinutes: number;
  readonly webhookAllowPrivate: boolean;
  readonly planMinPeriodSeconds: number;
  /** How long a claim on scheduled work lasts (plan housekeeping, delta jobs, webhook deliveries). */
  readonly leaseSeconds: number;
  /** V8's heap growing factor past the last full collection, in percent (0: V8's own). */
  readonly heapGrowthPercent: number;
  readonly metricsToken: string | null;
  readonly auditRetentionDays: number;
  /** null: the upgrade log is kept for good. */
  readonly upgradeLogRetentionDays: number | null;
  readonly logLevel: string;
}

export class ConfigError extends Error {
  readonly key: string;
  constructor(key: string, message: string) {
    super(`configuration: ${key}: ${message}`);
    this.name = 'ConfigError';
    this.key = key;
  }
}

type Raw = Record<string, unknown>;

function parseValue(setting: Setting, raw: unknown): unknown {
  const name = setting.env;
  if (raw === undefined || raw === '' || raw === null) return setting.default;
  const text = typeof raw === 'string' ? raw.trim() : raw;
  switch (setting.type) {
    case 'string':
      if (typeof text !== 'string') throw new ConfigError(name, 'must be a string');
      return text;
    case 'url': {
      if (typeof text !== 'string') throw new ConfigError(name, 'must be a URL');
      try {
        return new URL(text).toString().replace(/\/$/, '');
      } catch {
        throw new ConfigError(name, `"${text}" is not a URL`);
      }
    }
    case 'port':
    case 'integer': {
      const n = typeof text === 'number' ? text : /^-?\d+$/.test(String(text)) ? Number(text) : Number.NaN;
      const min = setting.type === 'port' ? 0 : (setting.min ?? Number.MIN_SAFE_INTEGER);
      const max = setting.type === 'port' ? 65535 : (setting.max ?? Number.MAX_SAFE_INTEGER);
      if (!Number.isSafeInteger(n)) throw new ConfigError(name, `"${String(text)}" is not a whole number`);
      if (n < min || n > max) throw new ConfigError(name, `${n} is outside ${min}..${max}`);
      return n;
    }
    case 'boolean': {
      if (typeof text === 'boolean') return text;
      const s = String(text).toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(s)) return true;
      if (['0', 'false', 'no', 'off'].includes(s)) return false;
      throw new ConfigError(name, `"${String(text)}" is not true or false`);
    }
    case 'enum':
      if (typeof text !== 'string' || !setting.values?.includes(text)) {
        throw new ConfigError(name, `"${String(text)}" is not one of ${setting.values?.join(', ')}`);
      }
      return text;
    case 'list': {
      const items = Array.isArray(text) ? text.map(String) : String(text).split(',');
      const list = items.map((s) => s.trim()).filter((s) => s.length > 0);
      if (list.length === 0) throw new ConfigError(name, 'must list at least one value');
      return list;
    }
  }
}

function readFile(path: string): Raw {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError('UPDRAFT_CONFIG', `cannot read ${path}: ${(error as Error).message}`);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new Error('not an object');
    return parsed as Raw;
  } catch (error) {
    throw new ConfigError('UPDRAFT_CONFIG', `${path} is not a JSON object: ${(error as Error).message}`);
  }
}

/** Builds the frozen configuration; throws ConfigError naming the first bad key. */
/**
 * Variables of the CLI's client commands (`updraft simulate`, `updraft devices import`), which a
 * shell exports beside the server's settings (docs/simulator.md): not settings, not typos.
 */
const clientVariables = new Set(['UPDRAFT_API_KEY', 'UPDRAFT_PASSWORD']);

export function loadConfig(
  env: Record<string, string | undefined>,
  overrides: Raw = {},
  cwd = process.cwd(),
): Config {
  const file = env['UPDRAFT_CONFIG'] ? readFile(env['UPDRAFT_CONFIG']) : {};
  const known = new Set<string>(settings.map((s) => s.key));
  for (const key of Object.keys(file)) {
    if (!known.has(key)) throw new ConfigError(key, 'unknown setting in the configuration file');
  }
  for (const name of Object.keys(env)) {
    if (name.startsWith('UPDRAFT_') && name !== 'UPDRAFT_CONFIG' && !settings.some((s) => s.env === name)) {
      const elsewhere =
        name.startsWith('UPDRAFT_TEST_') || name.startsWith('UPDRAFT_BENCH_') || clientVariables.has(name);
      if (!elsewhere) throw new ConfigError(name, 'unknown setting');
    }
  }
  const values: Raw = {};
  for (const setting of settings as readonly Setting[]) {
    const raw = overrides[setting.key] ?? env[setting.env] ?? file[setting.key];
    values[setting.key] = parseValue(setting, raw);
  }
  const dataDir = resolve(cwd, values['dataDir'] as string);
  const databaseUrl = values['databaseUrl'] as string | null;
  let database: Config['database'];
  if (!databaseUrl) database = { kind: 'sqlite', path: join(dataDir, 'updraft.db') };
  else if (/^postgres(ql)?:\/\//.test(databaseUrl)) database = { kind: 'postgres', url: databaseUrl };
  else if (databaseUrl.startsWith('sqlite:')) {
    const path = databaseUrl.slice('sqlite:'.length).replace(/^\/\//, '');
    if (!path) throw new ConfigError('UPDRAFT_DATABASE_URL', 'sqlite: needs a file path');
    database = {
      kind: 'sqlite',
      path: path === ':memory:' ? path : isAbsolute(path) ? path : resolve(cwd, path),
    };
  } else throw new ConfigError('UPDRAFT_DATABASE_URL', 'must start with postgres:// or sqlite:');
  const mqttUrl = values['mqttUrl'] as string | null;
  if (mqttUrl !== null && !/^(mqtts?|wss?):$/.test(new URL(mqttUrl).protocol)) {
    throw new ConfigError('UPDRAFT_MQTT_URL', 'must start with mqtt://, mqtts://, ws:// or wss://');
  }
  if (mqttUrl !== null && !values['mqttAuthToken']) {
    throw new ConfigError(
      'UPDRAFT_MQTT_AUTH_TOKEN',
      'must be set with UPDRAFT_MQTT_URL: the external broker presents it when it asks /broker/v1/… about devices (docs/mqtt.md)',
    );
  }
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(values['mqttShareGroup'] as string)) {
    throw new ConfigError('UPDRAFT_MQTT_SHARE_GROUP', 'must be 1 to 64 letters, digits, _ or -');
  }
  if (!values['mqttTlsCert'] !== !values['mqttTlsKey']) {
    throw new ConfigError(
      'UPDRAFT_MQTT_TLS_KEY',
      'set UPDRAFT_MQTT_TLS_CERT and UPDRAFT_MQTT_TLS_KEY together',
    );
  }
  if (values['firmwareStore'] === 's3') {
    if (!values['s3Bucket'])
      throw new ConfigError('UPDRAFT_S3_BUCKET', 'names the bucket of UPDRAFT_FIRMWARE_STORE=s3');
    if (values['downloadAccel'] === 'nginx') {
      throw new ConfigError(
        'UPDRAFT_DOWNLOAD_ACCEL',
        'nginx serves firmware files from a folder: it needs UPDRAFT_FIRMWARE_STORE=fs',
      );
    }
    if ((values['firmwareMaxFileBytes'] as number) > s3MaxBlobBytes) {
      throw new ConfigError(
        'UPDRAFT_FIRMWARE_MAX_FILE_BYTES',
        `at most ${s3MaxBlobBytes} (5 GiB, the largest object S3 copies in one request) with UPDRAFT_FIRMWARE_STORE=s3`,
      );
    }
  }
  const rawPrefix = ((values['s3Prefix'] as string | null) ?? '').replace(/^\/+/, '');
  const s3Prefix = rawPrefix && !rawPrefix.endsWith('/') ? `${rawPrefix}/` : rawPrefix;
  const firmwareDir = values['firmwareDir']
    ? resolve(cwd, values['firmwareDir'] as string)
    : join(dataDir, 'firmware');
  if ((values['httpHeadersTimeoutSeconds'] as number) > (values['httpRequestTimeoutSeconds'] as number)) {
    throw new ConfigError(
      'UPDRAFT_HTTP_HEADERS_TIMEOUT_SECONDS',
      'must not be longer than UPDRAFT_HTTP_REQUEST_TIMEOUT_SECONDS',
    );
  }
  const secret = values['secret'] as string | null;
  if (secret !== null && Buffer.from(secret, 'base64').length < 32) {
    throw new ConfigError('UPDRAFT_SECRET', 'must be at least 32 bytes in base64 (44 characters)');
  }
  const metricsToken = values['metricsToken'] as string | null;
  if (metricsToken !== null && metricsToken.length < 16) {
    throw new ConfigError('UPDRAFT_METRICS_TOKEN', 'must be at least 16 characters (or empty: /metrics off)');
  }
  const trustProxy = parseTrustProxy(values['trustProxy'] as string[] | null);
  if (typeof trustProxy === 'object' && 'error' in trustProxy) {
    throw new ConfigError('UPDRAFT_TRUST_PROXY', trustProxy.error);
  }
  const publicUrl = values['publicUrl'] as string | null;
  const secureCookies = (values['secureCookies'] as boolean) || publicUrl?.startsWith('https:') === true;
  const secretFile = values['secretFile']
    ? resolve(cwd, values['secretFile'] as string)
    : join(dataDir, 'server-secret');
  const signingKeyFile = values['signingKeyFile'] ? resolve(cwd, values['signingKeyFile'] as string) : null;
  const extensions = (values['firmwareExtensions'] as string[]).map((e) =>
    (e.startsWith('.') ? e : `.${e}`).toLowerCase(),
  );
  const studioPrefixes = (values['onenetStudioPrefixes'] as string[]).map((p) => p.replace(/\/+$/, ''));
  for (const prefix of studioPrefixes) {
    // Under the management API, the device API's own paths or the console's, routes would collide.
    if (!/^(\/[A-Za-z0-9._~-]+)+$/.test(prefix) || /^\/(api|device|broker|docs)(\/|$)/.test(prefix)) {
      throw new ConfigError(
        'UPDRAFT_ONENET_STUDIO_PREFIXES',
        `"${prefix}" is not a path like /fuse-ota outside /api, /device, /broker and /docs`,
      );
    }
  }
  return Object.freeze({
    ...(values as Omit<
      Config,
      | 'database'
      | 'dataDir'
      | 'firmwareDir'
      | 'firmwareExtensions'
      | 'onenetStudioPrefixes'
      | 's3Prefix'
      | 'secureCookies'
      | 'secretFile'
      | 'signingKeyFile'
      | 'trustProxy'
    >),
    dataDir,
    s3Prefix,
    secureCookies,
    secretFile,
    signingKeyFile,
    trustProxy,
    database: Object.freeze(database),
    firmwareDir,
    firmwareExtensions: Object.freeze(extensions),
    onenetStudioPrefixes: Object.freeze([...new Set(studioPrefixes)]),
  }) as Config;
}

/** Markdown table of every setting, for the README. */
export function describeSettings(): string {
  const rows = (settings as readonly Setting[]).map((s) => {
    const def =
      s.default === null ? '(empty)' : Array.isArray(s.default) ? s.default.join(',') : String(s.default);
    return `| \`${s.env}\` | \`${s.key}\` | ${def} | ${s.description} |`;
  });
  return ['| variable | file key | default | meaning |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

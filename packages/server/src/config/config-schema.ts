// The one configuration schema: every setting, its environment variable, type, default and
// meaning. The README's configuration reference is printed from this table (`updraft config`).

export type SettingType = 'string' | 'port' | 'integer' | 'boolean' | 'url' | 'enum' | 'list';

export interface Setting {
  key: string;
  env: string;
  type: SettingType;
  default: string | number | boolean | string[] | null;
  values?: readonly string[];
  min?: number;
  max?: number;
  description: string;
}

const mib = 1024 * 1024;

export const settings = [
  {
    key: 'dataDir',
    env: 'UPDRAFT_DATA_DIR',
    type: 'string',
    default: './data',
    description: 'Folder for the SQLite database, firmware files and the server secret.',
  },
  {
    key: 'httpHost',
    env: 'UPDRAFT_HTTP_HOST',
    type: 'string',
    default: '0.0.0.0',
    description: 'Address the HTTP server (API, device API, console) binds to.',
  },
  {
    key: 'httpPort',
    env: 'UPDRAFT_HTTP_PORT',
    type: 'port',
    default: 8080,
    description: 'HTTP port; 0 takes any free port and prints it.',
  },
  {
    key: 'publicUrl',
    env: 'UPDRAFT_PUBLIC_URL',
    type: 'url',
    default: null,
    description:
      'Base URL devices and operators reach this server at (download links); defaults to the bound address.',
  },
  {
    key: 'databaseUrl',
    env: 'UPDRAFT_DATABASE_URL',
    type: 'string',
    default: null,
    description:
      'postgres://user@host:5432/db for PostgreSQL; empty uses SQLite at <dataDir>/updraft.db; sqlite:<path> names another file.',
  },
  {
    key: 'migrate',
    env: 'UPDRAFT_MIGRATE',
    type: 'enum',
    values: ['auto', 'never'],
    default: 'auto',
    description:
      'auto applies pending migrations at start; never refuses to start until `updraft migrate` has run.',
  },
  {
    key: 'mqttPort',
    env: 'UPDRAFT_MQTT_PORT',
    type: 'port',
    default: 1883,
    description: 'Port of the embedded MQTT broker; 0 takes any free port.',
  },
  {
    key: 'mqttUrl',
    env: 'UPDRAFT_MQTT_URL',
    type: 'url',
    default: null,
    description:
      'mqtt://user:password@host:port (or mqtts://) of an external broker (Mosquitto, EMQX, HiveMQ); when set, no embedded broker runs and Updraft joins it as a client with shared subscriptions.',
  },
  {
    key: 'mqttHost',
    env: 'UPDRAFT_MQTT_HOST',
    type: 'string',
    default: '0.0.0.0',
    description: 'Address the embedded MQTT broker binds to.',
  },
  {
    key: 'mqttTlsCert',
    env: 'UPDRAFT_MQTT_TLS_CERT',
    type: 'string',
    default: null,
    description:
      'PEM certificate file: with UPDRAFT_MQTT_TLS_KEY the embedded broker speaks MQTT over TLS only.',
  },
  {
    key: 'mqttTlsKey',
    env: 'UPDRAFT_MQTT_TLS_KEY',
    type: 'string',
    default: null,
    description: 'PEM private key file of UPDRAFT_MQTT_TLS_CERT.',
  },
  {
    key: 'mqttPushRate',
    env: 'UPDRAFT_MQTT_PUSH_RATE',
    type: 'integer',
    min: 1,
    max: 1_000_000,
    default: 5000,
    description:
      'Upgrade pushes published per second at most (a plan start over many devices is spread out).',
  },
  {
    key: 'mqttAuthToken',
    env: 'UPDRAFT_MQTT_AUTH_TOKEN',
    type: 'string',
    default: null,
    description:
      'Secret an external broker presents to /broker/v1/… (Authorization: Bearer, or ?token=); empty leaves those endpoints open.',
  },
  {
    key: 'mqttShareGroup',
    env: 'UPDRAFT_MQTT_SHARE_GROUP',
    type: 'string',
    default: 'updraft',
    description:
      'Shared-subscription group with an external broker ($share/<group>/…): instances in one group split the device traffic.',
  },
  {
    key: 'coapPort',
    env: 'UPDRAFT_COAP_PORT',
    type: 'port',
    default: 5683,
    description: 'UDP port for LwM2M/CoAP devices; 0 takes any free port.',
  },
  {
    key: 'firmwareDir',
    env: 'UPDRAFT_FIRMWARE_DIR',
    type: 'string',
    default: null,
    description: 'Folder of the firmware blob store; defaults to <dataDir>/firmware.',
  },
  {
    key: 'firmwareMaxFileBytes',
    env: 'UPDRAFT_FIRMWARE_MAX_FILE_BYTES',
    type: 'integer',
    default: 100 * mib,
    min: 1,
    description: 'Largest firmware file accepted, in bytes (100 MiB).',
  },
  {
    key: 'firmwareMaxFiles',
    env: 'UPDRAFT_FIRMWARE_MAX_FILES',
    type: 'integer',
    default: 5,
    min: 1,
    max: 50,
    description: 'Most files in one firmware package.',
  },
  {
    key: 'firmwareExtensions',
    env: 'UPDRAFT_FIRMWARE_EXTENSIONS',
    type: 'list',
    default: [
      '.bin',
      '.rar',
      '.pack',
      '.mini_1',
      '.mini_2',
      '.py',
      '.tar',
      '.s19',
      '.bin_1',
      '.bin_2',
      '.zip',
      '.gz',
      '.tar.gz',
    ],
    description: 'Allowed firmware file name endings, comma separated.',
  },
  {
    key: 'importMaxBytes',
    env: 'UPDRAFT_IMPORT_MAX_BYTES',
    type: 'integer',
    default: 256 * mib,
    min: 1,
    description: 'Largest device import body, in bytes.',
  },
  {
    key: 'sessionTtlHours',
    env: 'UPDRAFT_SESSION_TTL_HOURS',
    type: 'integer',
    default: 12,
    min: 1,
    max: 24 * 90,
    description: 'How long a console sign-in lasts.',
  },
  {
    key: 'downloadTokenTtlHours',
    env: 'UPDRAFT_DOWNLOAD_TOKEN_TTL_HOURS',
    type: 'integer',
    default: 48,
    min: 1,
    max: 24 * 30,
    description: 'How long a device download token is valid (OneNET: 48 hours).',
  },
  {
    key: 'downloadAccel',
    env: 'UPDRAFT_DOWNLOAD_ACCEL',
    type: 'enum',
    values: ['off', 'nginx'],
    default: 'off',
    description: 'nginx hands firmware bytes to a reverse proxy with X-Accel-Redirect (docs/nginx.md).',
  },
  {
    key: 'downloadAccelPrefix',
    env: 'UPDRAFT_DOWNLOAD_ACCEL_PREFIX',
    type: 'string',
    default: '/_updraft_firmware/',
    description: 'Internal nginx location the X-Accel-Redirect points at; the blob path follows it.',
  },
  {
    key: 'firmwareCacheBytes',
    env: 'UPDRAFT_FIRMWARE_CACHE_BYTES',
    type: 'integer',
    default: 64 * mib,
    min: 0,
    description: 'Memory for hot firmware files served to devices (LRU); 0 turns the cache off.',
  },
  {
    key: 'adminUsername',
    env: 'UPDRAFT_ADMIN_USERNAME',
    type: 'string',
    default: 'admin',
    description: 'Name of the admin account created on first start.',
  },
  {
    key: 'adminPassword',
    env: 'UPDRAFT_ADMIN_PASSWORD',
    type: 'string',
    default: null,
    description: 'Password of that first admin; generated and printed once when empty.',
  },
  {
    key: 'secureCookies',
    env: 'UPDRAFT_SECURE_COOKIES',
    type: 'boolean',
    default: false,
    description: 'Mark the session cookie Secure (set when served over HTTPS).',
  },
  {
    key: 'logLevel',
    env: 'UPDRAFT_LOG_LEVEL',
    type: 'enum',
    values: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
    default: 'info',
    description: 'Log level of the JSON log on stdout.',
  },
] as const satisfies readonly Setting[];

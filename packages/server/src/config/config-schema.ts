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
    key: 'httpIdleTimeoutSeconds',
    env: 'UPDRAFT_HTTP_IDLE_TIMEOUT_SECONDS',
    type: 'integer',
    default: 60,
    min: 1,
    max: 3600,
    description:
      'An HTTP connection on which nothing moves for this long is closed (a download in progress is moving).',
  },
  {
    key: 'httpHeadersTimeoutSeconds',
    env: 'UPDRAFT_HTTP_HEADERS_TIMEOUT_SECONDS',
    type: 'integer',
    default: 20,
    min: 1,
    max: 3600,
    description: 'Time a client has to send a request’s headers; a slower one gets 408 and is closed.',
  },
  {
    key: 'httpRequestTimeoutSeconds',
    env: 'UPDRAFT_HTTP_REQUEST_TIMEOUT_SECONDS',
    type: 'integer',
    default: 600,
    min: 1,
    max: 86400,
    description: 'Time a client has to send a whole request, body included (a firmware upload counts).',
  },
  {
    key: 'httpKeepAliveTimeoutSeconds',
    env: 'UPDRAFT_HTTP_KEEP_ALIVE_TIMEOUT_SECONDS',
    type: 'integer',
    default: 10,
    min: 1,
    max: 3600,
    description: 'An idle keep-alive connection is closed after this long between requests.',
  },
  {
    key: 'trustProxy',
    env: 'UPDRAFT_TRUST_PROXY',
    type: 'list',
    default: null,
    description:
      "Reverse proxies whose X-Forwarded-For names the client (sign-in limit per address, audit log, access log), comma separated: addresses or CIDR ranges (127.0.0.1,10.0.0.0/8) or loopback, linklocal, uniquelocal; true believes any peer (only when nothing else can reach the HTTP port). Empty: the client is the connection's peer, whatever the header says (docs/nginx.md).",
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
      'Secret an external broker presents to /broker/v1/… (Authorization: Bearer, or ?token=); needed with UPDRAFT_MQTT_URL. Without UPDRAFT_MQTT_URL those endpoints do not exist.',
  },

  {
    key: 'mqttConnectTimeoutSeconds',
    env: 'UPDRAFT_MQTT_CONNECT_TIMEOUT_SECONDS',
    type: 'integer',
    default: 10,
    min: 1,
    max: 600,
    description:
      'Time from the first byte of a connection to the embedded broker until its CONNECT is complete; a slower one is closed.',
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
    key: 'mqttClientId',
    env: 'UPDRAFT_MQTT_CLIENT_ID',
    type: 'string',
    default: null,
    description:
      "This instance's MQTT client id on an external broker, kept across restarts so that its session (messages handed over but not yet acknowledged) survives a crash; unset: updraft-<host name>-<HTTP port>. Unique per instance.",
  },
  {
    key: 'mqttSessionExpiry',
    env: 'UPDRAFT_MQTT_SESSION_EXPIRY',
    type: 'integer',
    min: 0,
    max: 4_294_967_295,
    default: 3600,
    description:
      "Seconds an external broker keeps this instance's session (and the device messages it was handed) while the instance is away; 0 ends it at each disconnect.",
  },
  {
    key: 'coapPort',
    env: 'UPDRAFT_COAP_PORT',
    type: 'port',
    default: 5683,
    description:
      'UDP port of the CoAP server for LwM2M devices (docs/lwm2m.md); 0 takes any free port and prints it.',
  },
  {
    key: 'coapHost',
    env: 'UPDRAFT_COAP_HOST',
    type: 'string',
    default: '0.0.0.0',
    description: 'Address the CoAP server binds to (:: for IPv6).',
  },
  {
    key: 'coapPublicUrl',
    env: 'UPDRAFT_COAP_PUBLIC_URL',
    type: 'url',
    default: null,
    description:
      'coap://host:port LwM2M devices download firmware from (the Package URI written to /5/0/1); unset: the CoAP server’s own address.',
  },
  {
    key: 'lwm2mAuth',
    env: 'UPDRAFT_LWM2M_AUTH',
    type: 'enum',
    values: ['signature', 'none'],
    default: 'signature',
    description:
      'How an LwM2M Register proves the device: signature needs ts and sig (HMAC-SHA256 with the device secret, docs/lwm2m.md); none trusts the endpoint name (behind a DTLS-terminating proxy only).',
  },
  {
    key: 'firmwareDir',
    env: 'UPDRAFT_FIRMWARE_DIR',
    type: 'string',
    default: null,
    description: 'Folder of the firmware blob store; defaults to <dataDir>/firmware.',
  },
  {
    key: 'storageMinFreeMb',
    env: 'UPDRAFT_STORAGE_MIN_FREE_MB',
    type: 'integer',
    min: 0,
    max: 1048576,
    default: 16,
    description:
      'Free MiB the data and firmware folders need at start: below it, or read-only, `serve` refuses in one line naming the folder (`updraft storage` shows it); 0 checks only that they are writable.',
  },
  {
    key: 'firmwareStore',
    env: 'UPDRAFT_FIRMWARE_STORE',
    type: 'enum',
    values: ['fs', 's3'],
    default: 'fs',
    description:
      'Where firmware files live: fs keeps them in UPDRAFT_FIRMWARE_DIR; s3 in the bucket of the UPDRAFT_S3_* settings, shared by every instance (docs/deployment.md).',
  },
  {
    key: 's3Endpoint',
    env: 'UPDRAFT_S3_ENDPOINT',
    type: 'url',
    default: null,
    description:
      'URL of the S3 API (MinIO, Cloudflare R2, …); empty uses AWS S3 in UPDRAFT_S3_REGION. Credentials come from the AWS chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, shared files, instance role).',
  },
  {
    key: 's3Region',
    env: 'UPDRAFT_S3_REGION',
    type: 'string',
    default: null,
    description: "The bucket's region (R2: auto); empty takes the AWS chain's (AWS_REGION, ~/.aws/config).",
  },
  {
    key: 's3Bucket',
    env: 'UPDRAFT_S3_BUCKET',
    type: 'string',
    default: null,
    description: 'Bucket of the firmware files when UPDRAFT_FIRMWARE_STORE is s3; it must exist.',
  },
  {
    key: 's3Prefix',
    env: 'UPDRAFT_S3_PREFIX',
    type: 'string',
    default: null,
    description: 'Put before every object key, e.g. updraft/firmware/, so the bucket can hold other things.',
  },
  {
    key: 's3PathStyle',
    env: 'UPDRAFT_S3_PATH_STYLE',
    type: 'boolean',
    default: false,
    description:
      'Address the bucket as <endpoint>/<bucket> (MinIO and most self-hosted servers) instead of <bucket>.<endpoint>.',
  },
  {
    key: 's3Downloads',
    env: 'UPDRAFT_S3_DOWNLOADS',
    type: 'enum',
    values: ['redirect', 'proxy'],
    default: 'redirect',
    description:
      'How devices get files from S3: redirect answers /device/v1/download/{token} with a presigned S3 URL (Range intact); proxy streams through Updraft. OneNET and ThingsPanel download paths and CRC-16 requests always stream.',
  },
  {
    key: 's3UrlTtlSeconds',
    env: 'UPDRAFT_S3_URL_TTL_SECONDS',
    type: 'integer',
    default: 900,
    min: 60,
    max: 604800,
    description: 'Lifetime of a presigned S3 download URL, in seconds (S3 allows at most 7 days).',
  },
  {
    key: 'blobGraceHours',
    env: 'UPDRAFT_BLOB_GRACE_HOURS',
    type: 'integer',
    default: 24,
    min: 1,
    max: 24 * 90,
    description:
      'How long a firmware file stays once no package refers to it (a deleted package), before the hourly sweep deletes it.',
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
    key: 'onenetStudioPrefixes',
    env: 'UPDRAFT_ONENET_STUDIO_PREFIXES',
    type: 'list',
    default: ['/fuse-ota', '/ota'],
    description:
      'Path prefixes of the OneNET Studio device API (fuse-ota: `/{prefix}/{pro_id}/{dev_name}/…`), comma separated.',
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
    description:
      'Mark the session cookie Secure; it is also marked when UPDRAFT_PUBLIC_URL starts with https://.',
  },
  {
    key: 'secretFile',
    env: 'UPDRAFT_SECRET_FILE',
    type: 'string',
    default: null,
    description:
      'File holding the server secret (device secrets and product keys derive from it); defaults to <dataDir>/server-secret, created mode 0600 (docs/security.md).',
  },
  {
    key: 'signingKeyFile',
    env: 'UPDRAFT_SIGNING_KEY_FILE',
    type: 'string',
    default: null,
    description:
      'Ed25519 private key (PEM, as `updraft sign keygen` writes) with which the server signs unsigned uploads and online deltas of the products that register its public key (docs/signing.md); unset: the server holds no private key.',
  },
  {
    key: 'secret',
    env: 'UPDRAFT_SECRET',
    type: 'string',
    default: null,
    description: 'The server secret itself (44 characters of base64), in place of the file.',
  },
  {
    key: 'loginMaxPerAccount',
    env: 'UPDRAFT_LOGIN_MAX_PER_ACCOUNT',
    type: 'integer',
    default: 10,
    min: 1,
    max: 1_000_000,
    description: 'Sign-in attempts per account per window; more are answered 429 with Retry-After.',
  },
  {
    key: 'loginMaxPerAddress',
    env: 'UPDRAFT_LOGIN_MAX_PER_ADDRESS',
    type: 'integer',
    default: 30,
    min: 1,
    max: 1_000_000,
    description: 'Sign-in attempts per client address per window, whatever the account.',
  },
  {
    key: 'loginWindowMinutes',
    env: 'UPDRAFT_LOGIN_WINDOW_MINUTES',
    type: 'integer',
    default: 15,
    min: 1,
    max: 24 * 60,
    description: 'The window of the two sign-in limits.',
  },

  {
    key: 'webhookAllowPrivate',
    env: 'UPDRAFT_WEBHOOK_ALLOW_PRIVATE',
    type: 'boolean',
    default: false,
    description:
      'Let webhooks reach loopback, private, link-local and cloud metadata addresses (refused by default, also after DNS resolution at delivery).',
  },
  {
    key: 'planMinPeriodSeconds',
    env: 'UPDRAFT_PLAN_MIN_PERIOD_SECONDS',
    type: 'integer',
    min: 1,
    max: 60,
    default: 60,
    description:
      "The least push period and upgrade timeout a plan may set. Lower it only for tests and demos: Quectel's devices expect a push every 10 minutes and 60 minutes to verify (protocols.md §3.1).",
  },
  {
    key: 'leaseSeconds',
    env: 'UPDRAFT_LEASE_SECONDS',
    type: 'integer',
    min: 5,
    max: 3600,
    default: 60,
    description:
      "How long an instance's lease on a plan's housekeeping step and on a delta job lasts. An instance that dies holding one leaves it to another instance once it expires (the rollout waits that long); one started again on the same host and port takes back its own at once (docs/scale-out.md). Keep it well above a scheduler pass (updraft_scheduler_tick_duration_seconds) and a delta job's heartbeat (a third of it).",
  },
  {
    key: 'heapGrowthPercent',
    env: 'UPDRAFT_HEAP_GROWTH_PERCENT',
    type: 'integer',
    min: 0,
    max: 300,
    default: 10,
    description:
      "How far the JavaScript heap may grow past what its last full collection kept, in percent, before V8 collects again; 0 leaves V8's own factor (up to 4x). The default holds the campaign bench's 10,000 devices under 500 MB for no measurable CPU (docs/capacity.md); raise it where memory is plentiful.",
  },
  {
    key: 'metricsToken',
    env: 'UPDRAFT_METRICS_TOKEN',
    type: 'string',
    default: null,
    description:
      'Turns on GET /metrics (Prometheus text); the scraper sends it as Authorization: Bearer <token>. Empty: /metrics is off (404) (docs/deployment.md).',
  },
  {
    key: 'auditRetentionDays',
    env: 'UPDRAFT_AUDIT_RETENTION_DAYS',
    type: 'integer',
    default: 365,
    min: 1,
    max: 36_500,
    description: 'Audit log entries older than this many days are deleted (hourly, by the scheduler).',
  },
  {
    key: 'upgradeLogRetentionDays',
    env: 'UPDRAFT_UPGRADE_LOG_RETENTION_DAYS',
    type: 'integer',
    default: null,
    min: 1,
    max: 36_500,
    description:
      "The log lines of a plan's device upgrades (GET /device-upgrades/{id}) are deleted once the plan ended (completed, cancelled, expired) longer ago than this many days, in batches by the scheduler; the device upgrades and the plan's report stay (docs/capacity.md). Empty: kept for good.",
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

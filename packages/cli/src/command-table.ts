export interface CommandEntry {
  summary: string;
  load: () => Promise<unknown>;
}

export const commands: Record<string, CommandEntry> = {
  serve: {
    summary: 'run the platform (HTTP API, console, brokers)',
    load: () => import('./commands/serve.ts'),
  },
  migrate: { summary: 'apply pending database migrations', load: () => import('./commands/migrate.ts') },
  users: { summary: 'list, add and reset console users', load: () => import('./commands/users.ts') },
  keys: { summary: 'list, create and revoke API keys', load: () => import('./commands/keys.ts') },
  devices: {
    summary: 'import a device file into a running server: devices import FILE.csv --product KEY',
    load: () => import('./commands/devices.ts'),
  },
  blobs: {
    summary: 'move the firmware files to another store: blobs migrate --to s3|fs [--dry-run]',
    load: () => import('./commands/blobs.ts'),
  },
  diff: {
    summary: 'make a delta patch: diff OLD NEW -o PATCH [--profile mcu|linux] [--format updraft|vcdiff]',
    load: () => import('./commands/diff.ts'),
  },
  patch: {
    summary: 'apply a delta patch: patch OLD PATCH -o NEW',
    load: () => import('./commands/patch.ts'),
  },
  sign: {
    summary: 'signed firmware offline: sign keygen KEY.pem | sign KEY.pem --product P --version V FILE…',
    load: () => import('./commands/sign.ts'),
  },
  simulate: {
    summary: 'rehearse a rollout: N simulated devices (HTTP or MQTT) with a mix of behaviours',
    load: () => import('./commands/simulate.ts'),
  },
  storage: {
    summary: 'check the data and firmware folders as serve would: writable, free space',
    load: () => import('./commands/storage.ts'),
  },
  config: {
    summary: 'print every setting (UPDRAFT_* variables)',
    load: () => import('./commands/config.ts'),
  },
};

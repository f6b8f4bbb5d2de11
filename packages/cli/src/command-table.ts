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
  diff: {
    summary: 'make a delta patch: diff OLD NEW -o PATCH [--profile mcu|linux] [--format updraft|vcdiff]',
    load: () => import('./commands/diff.ts'),
  },
  patch: {
    summary: 'apply a delta patch: patch OLD PATCH -o NEW',
    load: () => import('./commands/patch.ts'),
  },
  simulate: {
    summary: 'rehearse a rollout: N simulated devices (HTTP or MQTT) with a mix of behaviours',
    load: () => import('./commands/simulate.ts'),
  },
  config: {
    summary: 'print every setting (UPDRAFT_* variables)',
    load: () => import('./commands/config.ts'),
  },
};

// `updraft serve`: runs the platform on the configured (by default embedded) parts. Every
// listener is bound before the first admin is created and the background work starts; one that
// cannot bind stops the start with one line and a non-zero exit, nothing left running.

import { isUpdraftError } from '@updraft/core';
import { buildApp, ConfigError, loadConfig } from '@updraft/server';

type App = Awaited<ReturnType<typeof buildApp>>;

function explain(error: unknown): string | null {
  return error instanceof ConfigError || isUpdraftError(error) ? error.message : null;
}

export async function run(_argv: string[]): Promise<number> {
  let app: App;
  try {
    app = await buildApp(loadConfig(process.env), { firstAdmin: 'on-listen' });
  } catch (error) {
    const message = explain(error);
    if (message === null) throw error;
    process.stderr.write(`updraft: cannot start: ${message}\n`);
    return 1;
  }
  let started: Awaited<ReturnType<App['listen']>>;
  try {
    started = await app.listen();
  } catch (error) {
    await app.close().catch(() => {});
    const message = explain(error);
    process.stderr.write(`updraft: cannot start: ${message ?? (error as Error).stack}\n`);
    return 1;
  }
  const { config } = app;
  const { httpPort: port, mqtt, coap } = started;
  const base =
    config.publicUrl ?? `http://${config.httpHost === '0.0.0.0' ? 'localhost' : config.httpHost}:${port}`;
  const lines = [
    '',
    `Updraft is running (${config.database.kind === 'sqlite' ? `SQLite ${config.database.path}` : 'PostgreSQL'})`,
    `  Console    ${base}/`,
    `  API        ${base}/api/v1`,
    `  API docs   ${base}/docs   (OpenAPI: ${base}/openapi.json)`,
    `  HTTP port  ${port}`,
    `  MQTT       ${mqtt.url}   (${mqtt.kind === 'embedded' ? 'embedded broker' : 'external broker, shared subscriptions'})`,
    `  LwM2M      ${coap.url}   (CoAP over UDP, port ${coap.port})`,
  ];
  if (app.firstAdmin) {
    lines.push(
      '',
      '  First start: an admin account was created. Its password is shown only now:',
      `    username  ${app.firstAdmin.username}`,
      `    password  ${app.firstAdmin.password}`,
      '  (change it with `npm run updraft -- users reset-password admin`)',
    );
  }
  process.stdout.write(`${lines.join('\n')}\n\n`);
  const stop = async () => {
    await app.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return 0;
}

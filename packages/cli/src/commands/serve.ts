// `updraft serve`: runs the platform on the configured (by default embedded) parts.

import { isUpdraftError } from '@updraft/core';
import { buildApp, ConfigError, loadConfig } from '@updraft/server';

export async function run(_argv: string[]): Promise<number> {
  let app: Awaited<ReturnType<typeof buildApp>>;
  try {
    const config = loadConfig(process.env);
    app = await buildApp(config);
  } catch (error) {
    if (error instanceof ConfigError || isUpdraftError(error)) {
      process.stderr.write(`updraft: cannot start: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
  const { config } = app;
  await app.http.listen({ host: config.httpHost, port: config.httpPort });
  let mqtt: Awaited<ReturnType<typeof app.startMqtt>>;
  try {
    mqtt = await app.startMqtt();
  } catch (error) {
    process.stderr.write(`updraft: cannot start MQTT: ${(error as Error).message}\n`);
    await app.close();
    return 1;
  }
  const address = app.http.server.address();
  const port = typeof address === 'object' && address ? address.port : config.httpPort;
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

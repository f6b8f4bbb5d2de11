// Several whole Updraft instances in this process, as the scale-out topology runs them
// (docs/scale-out.md): one fresh PostgreSQL database, one server secret, one firmware folder they
// share (a stand-in for the S3 bucket), each instance with its own data folder and its own HTTP,
// MQTT and CoAP ports (all ephemeral), started by listen() as `updraft serve` starts them.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type App, buildApp } from '../app.ts';
import { loadConfig } from '../config/config.ts';
import { adminPassword } from './test-app.ts';
import { createEmptyPostgresDatabase } from './test-database.ts';

export const instancesMetricsToken = 'metrics-token-of-the-instances';

export interface Instance {
  app: App;
  /** http://127.0.0.1:<its HTTP port> */
  base: string;
  /** host:port, for an upstream list. */
  address: string;
  /** The UDP port its CoAP server (LwM2M) listens on. */
  coapPort: number;
  stopped: boolean;
  /** Closes this instance (as SIGTERM does); the others go on. */
  stop(): Promise<void>;
}

export interface Instances {
  list: Instance[];
  databaseUrl: string;
  close(): Promise<void>;
}

export async function startInstances(
  count: number,
  settings: Record<string, unknown> = {},
): Promise<Instances> {
  const database = await createEmptyPostgresDatabase();
  const root = mkdtempSync(join(tmpdir(), 'updraft-instances-'));
  const secret = randomBytes(32).toString('base64');
  const list: Instance[] = [];
  const close = async () => {
    for (const instance of list) await instance.stop();
    await database.dispose('closing');
    rmSync(root, { recursive: true, force: true });
  };
  try {
    // One after the other: the first migrates the database and creates the first admin.
    for (let i = 0; i < count; i++) {
      const config = loadConfig(
        {},
        {
          dataDir: join(root, `instance-${i + 1}`),
          firmwareDir: join(root, 'firmware'),
          databaseUrl: database.url,
          secret,
          httpHost: '127.0.0.1',
          httpPort: 0,
          mqttHost: '127.0.0.1',
          mqttPort: 0,
          coapHost: '127.0.0.1',
          coapPort: 0,
          metricsToken: instancesMetricsToken,
          logLevel: 'silent',
          adminPassword,
          ...settings,
        },
      );
      const app = await buildApp(config, { firstAdmin: 'on-listen' });
      const { httpPort, coap } = await app.listen();
      const instance: Instance = {
        app,
        base: `http://127.0.0.1:${httpPort}`,
        address: `127.0.0.1:${httpPort}`,
        coapPort: coap.port,
        stopped: false,
        async stop() {
          if (instance.stopped) return;
          instance.stopped = true;
          await app.close();
        },
      };
      list.push(instance);
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { list, databaseUrl: database.url, close };
}

// A device in a process of its own that publishes one QoS 1 message while the database's write
// lock is held, and tells whether the PUBACK came before the lock was let go. Its own process,
// because node:sqlite waits for a lock synchronously: a server in the test's process would stop
// the test's clock with it. argv[2] is JSON: { database, mqttUrl, username, password, topic,
// payload, holdMs }. Prints one JSON line: { ackedWhileLocked, ackedAfterMs }.
import { DatabaseSync } from 'node:sqlite';
import { connectAsync } from 'mqtt';
import pg from 'pg';

const args = JSON.parse(process.argv[2]!) as {
  database: string;
  mqttUrl: string;
  username: string;
  password: string;
  topic: string;
  payload: string;
  holdMs: number;
};

async function holdWriteLock(url: string): Promise<() => Promise<void>> {
  if (url.startsWith('sqlite:')) {
    const other = new DatabaseSync(url.slice('sqlite:'.length));
    other.exec('begin immediate');
    return async () => {
      other.exec('rollback');
      other.close();
    };
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('begin');
  await client.query('lock table device_upgrades in exclusive mode');
  return async () => {
    await client.query('rollback');
    await client.end();
  };
}

const client = await connectAsync(
  args.mqttUrl,
  {
    username: args.username,
    password: args.password,
    clientId: `${args.username}~ack-probe`,
    reconnectPeriod: 0,
  },
  false,
);
const release = await holdWriteLock(args.database);
let ackedAt: number | null = null;
const publishing = client.publishAsync(args.topic, args.payload, { qos: 1 }).then(() => {
  ackedAt = Date.now();
});
await new Promise((resolve) => setTimeout(resolve, args.holdMs));
const ackedWhileLocked = ackedAt !== null;
const releasedAt = Date.now();
await release();
await publishing;
await client.endAsync();
process.stdout.write(`${JSON.stringify({ ackedWhileLocked, ackedAfterMs: ackedAt! - releasedAt })}\n`);

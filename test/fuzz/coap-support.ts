// What the CoAP fuzz target's parts share: Updraft's registration signature with a `ts` that
// always moves forward, the state that refused input must leave alone, a wait until the server
// has stopped talking to a peer, a timeout for every wait, and a crash watch.
import { contentFormats, lwm2mRegistrationSignature } from '@updraft/protocol';
import { type Kysely, sql } from 'kysely';
import type { DatabaseSchema } from '../../packages/server/src/adapters/db/schema.ts';
import type { CoapPeer, PeerAnswer } from './coap-peer.ts';

/** `ts` and `sig` for a Register (docs/lwm2m.md): `ts` past the last one the endpoint used. */
export function createSigner(now: () => number) {
  const last = new Map<string, number>();
  return {
    query(endpoint: string, secret: string): string[] {
      const ts = Math.max(Math.floor(now() / 1000), (last.get(endpoint) ?? 0) + 1);
      last.set(endpoint, ts);
      return [`ts=${ts}`, `sig=${lwm2mRegistrationSignature(secret, endpoint, ts)}`];
    },
  };
}

/** The devices' rows, versions and upgrades, and how many of each there are, as text to compare. */
export async function rowsOf(db: Kysely<DatabaseSchema>, deviceIds: number[]): Promise<string> {
  const ids = sql.join(deviceIds);
  const counts = await sql`select (select count(*) from devices) as devices,
    (select count(*) from device_versions) as versions,
    (select count(*) from device_upgrades) as upgrades`.execute(db);
  const devices = await sql`select * from devices where id in (${ids}) order by id`.execute(db);
  const versions = await sql`select * from device_versions where device_id in (${ids})
    order by device_id, module`.execute(db);
  const upgrades = await sql`select * from device_upgrades where device_id in (${ids}) order by id`.execute(
    db,
  );
  return JSON.stringify([counts.rows, devices.rows, versions.rows, upgrades.rows]);
}

/** Resolves once the server has sent the peer nothing for `quietMs`, or after `maxMs`. */
export async function settle(peer: CoapPeer, quietMs: number, maxMs: number): Promise<void> {
  const end = performance.now() + maxMs;
  let count = -1;
  while (performance.now() < end && count !== peer.seen.length) {
    count = peer.seen.length;
    await new Promise((resolve) => setTimeout(resolve, quietMs));
  }
}

export async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Reports an exception or rejection nobody handled while the target runs, instead of dying of it. */
export function watchCrashes(onCrash: (error: unknown) => void) {
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  return {
    stop() {
      process.off('uncaughtException', onCrash);
      process.off('unhandledRejection', onCrash);
    },
  };
}

/** What a well-behaved client on version 1.0 answers to the server's reads, writes and executes. */
export function properAnswer(path: string, method: string): PeerAnswer {
  const text = (value: string | number): PeerAnswer => ({
    code: '2.05',
    payload: Buffer.from(String(value)),
    contentFormat: contentFormats.text,
  });
  if (method !== 'GET') return { code: '2.04' };
  switch (path) {
    case '/3/0/3':
      return text('1.0');
    case '/3/0/9':
      return text(80);
    case '/4/0/2':
      return text(-70);
    case '/5/0/3':
    case '/5/0/5':
    case '/5/0/9':
      return text(0);
    default:
      return { code: '4.04' };
  }
}

/** The download token of a Package URI (`coap://…/fw/{token}?v=…`). */
export function tokenOf(uri: string): string | undefined {
  return /\/fw\/([^?/]+)/.exec(uri)?.[1];
}

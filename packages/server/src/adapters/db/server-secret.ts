// The server secret (cursor signatures, derived device secrets) lives in the database so that
// every instance on one PostgreSQL shares it; the first instance to start creates it.
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DatabaseSchema } from './schema.ts';

export async function loadServerSecret(db: Kysely<DatabaseSchema>): Promise<Buffer> {
  await db
    .insertInto('server_settings')
    .values({ key: 'secret', value: randomBytes(32).toString('base64') })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  const row = await db
    .selectFrom('server_settings')
    .select('value')
    .where('key', '=', 'secret')
    .executeTakeFirstOrThrow();
  return Buffer.from(row.value, 'base64');
}

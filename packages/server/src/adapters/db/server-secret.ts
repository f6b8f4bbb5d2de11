// The server secret (device secrets, product keys and cursor signatures derive from it) lives
// outside the database (issue 12): in a file created mode 0600 in the data folder, in the file
// UPDRAFT_SECRET_FILE names, or in UPDRAFT_SECRET. A copy of the database alone then computes no
// device secret. The database keeps only a fingerprint (an HMAC of a fixed text under the
// secret), so that an instance started with another secret refuses to start instead of failing
// every device. Installs from before keep their secret: it moves from the database to the file on
// the first start and its row is deleted.
import { createHmac, randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { UpdraftError } from '@updraft/core';
import type { Kysely } from 'kysely';
import type { DatabaseSchema } from './schema.ts';

export interface SecretSource {
  /** Where the secret is kept (created when nothing holds one yet). */
  file: string;
  /** The secret itself, base64 (UPDRAFT_SECRET), in place of the file. */
  value: string | null;
}

const legacyKey = 'secret';
const fingerprintKey = 'secret_fingerprint';

/** What the database keeps to recognise the secret; reveals nothing of it. */
export function secretFingerprint(secret: Buffer): string {
  return createHmac('sha256', secret).update('updraft server secret fingerprint').digest('base64url');
}

function decode(text: string, from: string): Buffer {
  const secret = Buffer.from(text.trim(), 'base64');
  if (secret.length < 32) {
    throw new UpdraftError(
      'SERVER_SECRET_MISMATCH',
      `${from} does not hold a server secret (32 bytes in base64)`,
    );
  }
  return secret;
}

function readSecretFile(file: string): Buffer | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return decode(text, file);
}

/**
 * Writes a new secret file, readable by this user only; an existing one is never replaced. The
 * file appears whole (written aside, then hard-linked into place, which fails if one exists), so
 * that another instance starting on the same data folder never reads it half written.
 */
export function writeSecretFile(file: string, secret: Buffer, replace = false): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const text = `${secret.toString('base64')}\n`;
  if (replace) {
    writeFileSync(file, text, { mode: 0o600 });
    return;
  }
  const aside = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(aside, text, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(aside, file);
  } finally {
    unlinkSync(aside);
  }
}

async function readSetting(db: Kysely<DatabaseSchema>, key: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('server_settings')
    .select('value')
    .where('key', '=', key)
    .executeTakeFirst();
  return row?.value;
}

export async function loadServerSecret(db: Kysely<DatabaseSchema>, source: SecretSource): Promise<Buffer> {
  let secret = source.value ? decode(source.value, 'UPDRAFT_SECRET') : readSecretFile(source.file);
  const where = source.value ? 'UPDRAFT_SECRET' : source.file;
  const legacy = await readSetting(db, legacyKey);
  if (legacy !== undefined) {
    const old = decode(legacy, 'the database');
    if (!secret) {
      writeSecretFile(source.file, old);
      secret = old;
    } else if (!secret.equals(old)) {
      throw new UpdraftError(
        'SERVER_SECRET_MISMATCH',
        `the server secret in ${where} is not the one this database was made with (still in its server_settings); ` +
          'remove that setting or file to move the database’s own secret out (docs/security.md)',
      );
    }
  }
  let known = await readSetting(db, fingerprintKey);
  // Another instance on this data folder may have made the file and set the database up since
  // this one looked (several started at once): look again before refusing.
  if (!secret && !source.value && known !== undefined) secret = readSecretFile(source.file);
  if (!secret) {
    if (known !== undefined) {
      throw new UpdraftError(
        'SERVER_SECRET_MISMATCH',
        `no server secret at ${source.file}, but this database was set up with one: copy that file from the ` +
          'instance that made it, or set UPDRAFT_SECRET_FILE or UPDRAFT_SECRET (docs/security.md)',
      );
    }
    secret = randomBytes(32);
    try {
      writeSecretFile(source.file, secret);
    } catch (error) {
      // Another process on this data folder made it first: take theirs.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      secret = readSecretFile(source.file)!;
    }
  }
  const fingerprint = secretFingerprint(secret);
  if (known === undefined) {
    await db
      .insertInto('server_settings')
      .values({ key: fingerprintKey, value: fingerprint })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    known = await readSetting(db, fingerprintKey);
  }
  if (known !== fingerprint) {
    throw new UpdraftError(
      'SERVER_SECRET_MISMATCH',
      `the server secret in ${where} is not the one this database was set up with; every device secret ` +
        'derives from it: use the original file (docs/security.md)',
    );
  }
  if (legacy !== undefined) await db.deleteFrom('server_settings').where('key', '=', legacyKey).execute();
  return secret;
}

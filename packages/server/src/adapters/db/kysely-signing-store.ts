// The signing module's store on Kysely (SQLite and PostgreSQL): tables of migration 13.
import type { Kysely, Selectable } from 'kysely';
import type { KeyStatus, SigningKey, SigningStore } from '../../modules/signing/signing-store.ts';
import type { DatabaseSchema, SigningKeysTable } from './schema.ts';
import { isUniqueViolation } from './sql-helpers.ts';

const toKey = (row: Selectable<SigningKeysTable>): SigningKey => ({
  productId: row.product_id,
  keyId: row.key_id,
  name: row.name,
  publicKey: row.public_key,
  status: row.status as KeyStatus,
  validUntil: row.valid_until,
  createdBy: row.created_by,
  createdAt: row.created_at,
  changedAt: row.changed_at,
});

export function createKyselySigningStore(db: Kysely<DatabaseSchema>): SigningStore {
  return {
    async listKeys(productId) {
      const rows = await db
        .selectFrom('signing_keys')
        .selectAll()
        .where('product_id', '=', productId)
        .orderBy('created_at')
        .orderBy('key_id')
        .execute();
      return rows.map(toKey);
    },
    async getKey(productId, keyId) {
      const row = await db
        .selectFrom('signing_keys')
        .selectAll()
        .where('product_id', '=', productId)
        .where('key_id', '=', keyId)
        .executeTakeFirst();
      return row && toKey(row);
    },
    async insertKey(key) {
      try {
        await db
          .insertInto('signing_keys')
          .values({
            product_id: key.productId,
            key_id: key.keyId,
            name: key.name,
            public_key: key.publicKey,
            status: key.status,
            valid_until: key.validUntil,
            created_by: key.createdBy,
            created_at: key.createdAt,
            changed_at: key.changedAt,
          })
          .execute();
        return true;
      } catch (error) {
        if (isUniqueViolation(error)) return false;
        throw error;
      }
    },
    async updateKey(productId, keyId, patch) {
      await db
        .updateTable('signing_keys')
        .set({ status: patch.status, valid_until: patch.validUntil, changed_at: patch.changedAt })
        .where('product_id', '=', productId)
        .where('key_id', '=', keyId)
        .execute();
      return this.getKey(productId, keyId);
    },
    async getSignature(packageId) {
      const row = await db
        .selectFrom('package_signatures')
        .selectAll()
        .where('package_id', '=', packageId)
        .executeTakeFirst();
      return (
        row && {
          manifest: row.manifest,
          signature: row.signature,
          keyId: row.key_id,
          securityVersion: row.security_version,
          signedAt: row.signed_at,
        }
      );
    },
    async maxSecurityVersion(productId, module) {
      const row = await db
        .selectFrom('package_signatures as s')
        .innerJoin('firmware_packages as p', 'p.id', 's.package_id')
        .select((eb) => eb.fn.max('s.security_version').as('max'))
        .where('p.product_id', '=', productId)
        .where('p.module', '=', module)
        .executeTakeFirst();
      return row?.max === null || row?.max === undefined ? null : Number(row.max);
    },
    async putSignature(packageId, s) {
      const values = {
        manifest: s.manifest,
        signature: s.signature,
        key_id: s.keyId,
        security_version: s.securityVersion,
        signed_at: s.signedAt,
      };
      await db
        .insertInto('package_signatures')
        .values({ package_id: packageId, ...values })
        .onConflict((oc) => oc.column('package_id').doUpdateSet(values))
        .execute();
    },
    async requiresSignature(productId) {
      const row = await db
        .selectFrom('products')
        .select('require_signature')
        .where('id', '=', productId)
        .executeTakeFirst();
      return row?.require_signature === 1;
    },
    async setRequiresSignature(productId, required) {
      await db
        .updateTable('products')
        .set({ require_signature: required ? 1 : 0 })
        .where('id', '=', productId)
        .execute();
    },
  };
}

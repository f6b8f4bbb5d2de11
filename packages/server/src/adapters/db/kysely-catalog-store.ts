import { UpdraftError } from '@updraft/core';
import type { Kysely, Selectable } from 'kysely';
import type {
  CatalogStore,
  DeviceProtocol,
  ModuleKind,
  NodeType,
  Product,
  ProductModule,
  SignMethod,
} from '../../modules/catalog/catalog-store.ts';
import { toPage } from '../../modules/pagination.ts';
import type { DatabaseSchema, ModulesTable, ProductsTable } from './schema.ts';
import { containsText, isForeignKeyViolation } from './sql-helpers.ts';

function toProduct(row: Selectable<ProductsTable>): Product {
  return {
    id: row.id,
    name: row.name,
    productKey: row.product_key,
    manufacturer: row.manufacturer,
    model: row.model,
    nodeType: row.node_type as NodeType,
    protocols: JSON.parse(row.protocols) as DeviceProtocol[],
    description: row.description,
    signMethod: row.sign_method as SignMethod,
    productKeyAuth: row.access_key_salt !== null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toModule(row: Selectable<ModulesTable>): ProductModule {
  return {
    id: row.id,
    productId: row.product_id,
    name: row.name,
    kind: row.kind as ModuleKind,
    description: row.description,
    manufacturerCode: row.manufacturer_code,
    modelCode: row.model_code,
    createdAt: row.created_at,
  };
}

export function createKyselyCatalogStore(db: Kysely<DatabaseSchema>): CatalogStore {
  return {
    async insertProduct(input, now) {
      const row = await db
        .insertInto('products')
        .values({
          name: input.name,
          product_key: input.productKey,
          manufacturer: input.manufacturer,
          model: input.model,
          node_type: input.nodeType,
          protocols: JSON.stringify(input.protocols),
          description: input.description,
          sign_method: input.signMethod,
          created_at: now,
          updated_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toProduct(row);
    },
    async getProduct(id) {
      const row = await db.selectFrom('products').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toProduct(row);
    },
    async findProductByKey(productKey) {
      const row = await db
        .selectFrom('products')
        .selectAll()
        .where('product_key', '=', productKey)
        .executeTakeFirst();
      return row && toProduct(row);
    },
    async listProducts(filter, { after, limit }) {
      const rows = await db
        .selectFrom('products')
        .selectAll()
        .$if(after !== undefined, (q) => q.where('id', '>', after!))
        .$if(filter.nodeType !== undefined, (q) => q.where('node_type', '=', filter.nodeType!))
        .$if(!!filter.q, (q) =>
          q.where((eb) =>
            eb.or([
              containsText('name', filter.q!),
              containsText('product_key', filter.q!),
              containsText('model', filter.q!),
            ]),
          ),
        )
        .orderBy('id')
        .limit(limit + 1)
        .execute();
      return toPage(rows.map(toProduct), limit);
    },
    async updateProduct(id, patch, now) {
      const row = await db
        .updateTable('products')
        .set({
          updated_at: now,
          ...(patch.name !== undefined && { name: patch.name }),
          ...(patch.manufacturer !== undefined && { manufacturer: patch.manufacturer }),
          ...(patch.model !== undefined && { model: patch.model }),
          ...(patch.nodeType !== undefined && { node_type: patch.nodeType }),
          ...(patch.protocols !== undefined && { protocols: JSON.stringify(patch.protocols) }),
          ...(patch.description !== undefined && { description: patch.description }),
          ...(patch.signMethod !== undefined && { sign_method: patch.signMethod }),
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row && toProduct(row);
    },
    async deleteProduct(id) {
      try {
        const result = await db.deleteFrom('products').where('id', '=', id).executeTakeFirst();
        return Number(result.numDeletedRows) > 0;
      } catch (error) {
        if (!isForeignKeyViolation(error)) throw error;
        throw new UpdraftError('CONFLICT', `product ${id} still has devices or firmware packages`, { id });
      }
    },
    async setAccessKey(id, credential, now) {
      const row = await db
        .updateTable('products')
        .set({
          updated_at: now,
          access_key_salt: credential?.salt ?? null,
          access_key_hash: credential?.hash ?? null,
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row && toProduct(row);
    },
    async getAccessKey(id) {
      const row = await db
        .selectFrom('products')
        .select(['access_key_salt', 'access_key_hash'])
        .where('id', '=', id)
        .executeTakeFirst();
      return row?.access_key_salt && row.access_key_hash
        ? { salt: row.access_key_salt, hash: row.access_key_hash }
        : undefined;
    },
    async insertModule(input, now) {
      const row = await db
        .insertInto('modules')
        .values({
          product_id: input.productId,
          name: input.name,
          kind: input.kind,
          description: input.description,
          manufacturer_code: input.manufacturerCode ?? '',
          model_code: input.modelCode ?? '',
          created_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toModule(row);
    },
    async findModule(productId, name) {
      const row = await db
        .selectFrom('modules')
        .selectAll()
        .where('product_id', '=', productId)
        .where('name', '=', name)
        .executeTakeFirst();
      return row && toModule(row);
    },
    async updateModule(productId, name, patch) {
      if (Object.keys(patch).length > 0) {
        await db
          .updateTable('modules')
          .set({
            ...(patch.description !== undefined && { description: patch.description }),
            ...(patch.manufacturerCode !== undefined && { manufacturer_code: patch.manufacturerCode }),
            ...(patch.modelCode !== undefined && { model_code: patch.modelCode }),
          })
          .where('product_id', '=', productId)
          .where('name', '=', name)
          .execute();
      }
      const row = await db
        .selectFrom('modules')
        .selectAll()
        .where('product_id', '=', productId)
        .where('name', '=', name)
        .executeTakeFirst();
      return row && toModule(row);
    },
    async listModules(productId) {
      const rows = await db
        .selectFrom('modules')
        .selectAll()
        .where('product_id', '=', productId)
        .orderBy('id')
        .execute();
      return rows.map(toModule);
    },
    async pageModules(productId, filter, { after, limit }) {
      const rows = await db
        .selectFrom('modules')
        .selectAll()
        .where('product_id', '=', productId)
        .$if(after !== undefined, (q) => q.where('id', '>', after!))
        .$if(filter.kind !== undefined, (q) => q.where('kind', '=', filter.kind!))
        .orderBy('id')
        .limit(limit + 1)
        .execute();
      return toPage(rows.map(toModule), limit);
    },
    async deleteModule(productId, name) {
      const result = await db
        .deleteFrom('modules')
        .where('product_id', '=', productId)
        .where('name', '=', name)
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}

// Products (what a device maker sells) and their modules (the updatable parts of one product:
// `default` for the whole firmware, MCU firmware, module firmware).
import { randomBytes } from 'node:crypto';
import { UpdraftError } from '@updraft/core';
import type { Clock } from '../../adapters/clock/clock.ts';
import { deriveProductKey, equalHex, randomToken, sha256Hex } from '../../internal/secrets.ts';
import type { Page, PageRequest } from '../pagination.ts';
import type {
  CatalogStore,
  ModuleKind,
  ModulePatch,
  Product,
  ProductFilter,
  ProductInput,
  ProductModule,
} from './catalog-store.ts';

export const productKeyPattern = /^[A-Za-z0-9_-]{4,64}$/;
export const moduleNamePattern = /^[A-Za-z0-9._-]{1,32}$/;

/** OneNET's codes are digits (`101`, `10101`, protocols.md §2.7); letters are taken too. */
export const moduleCodePattern = /^[A-Za-z0-9_-]{0,32}$/;

function checkCode(field: string, value: string): string {
  if (!moduleCodePattern.test(value)) {
    throw new UpdraftError('VALIDATION_FAILED', `${field} has at most 32 letters, digits, - or _`, {
      field,
    });
  }
  return value;
}

function checkText(field: string, value: string, max: number, min = 0): string {
  const text = value.trim();
  if ([...text].length < min || [...text].length > max) {
    throw new UpdraftError('VALIDATION_FAILED', `${field} has ${min} to ${max} characters`, { field });
  }
  return text;
}

export function createCatalogService({
  store,
  clock,
  serverSecret,
}: {
  store: CatalogStore;
  clock: Clock;
  /** The server secret product access keys derive from (ADR 0003). */
  serverSecret: Buffer;
}) {
  async function getProduct(id: number): Promise<Product> {
    const product = await store.getProduct(id);
    if (!product) throw new UpdraftError('NOT_FOUND', `no product ${id}`, { resource: 'product', id });
    return product;
  }

  function normalise(input: Partial<ProductInput>): Partial<ProductInput> {
    const out: Partial<ProductInput> = { ...input };
    if (input.name !== undefined) out.name = checkText('name', input.name, 100, 1);
    if (input.manufacturer !== undefined)
      out.manufacturer = checkText('manufacturer', input.manufacturer, 100);
    if (input.model !== undefined) out.model = checkText('model', input.model, 100);
    if (input.description !== undefined) out.description = checkText('description', input.description, 1000);
    if (input.protocols !== undefined) {
      out.protocols = [...new Set(input.protocols)];
      if (out.protocols.includes('thingspanel-v1-infrom') && !out.protocols.includes('thingspanel-v1')) {
        throw new UpdraftError(
          'VALIDATION_FAILED',
          'thingspanel-v1-infrom adds a topic to ThingsPanel v1 pushes: list thingspanel-v1 too',
          { field: 'protocols' },
        );
      }
    }
    return out;
  }

  return {
    getProduct,

    findProduct: (id: number) => store.getProduct(id),
    findProductByKey: (productKey: string) => store.findProductByKey(productKey),

    async createProduct(input: Partial<ProductInput> & { name: string }): Promise<Product> {
      const productKey =
        input.productKey ?? `pk_${randomBytes(9).toString('base64url').replace(/[-_]/g, 'x')}`;
      if (!productKeyPattern.test(productKey)) {
        throw new UpdraftError('VALIDATION_FAILED', 'a product key has 4 to 64 letters, digits, - or _', {
          field: 'productKey',
        });
      }
      if (await store.findProductByKey(productKey)) {
        throw new UpdraftError('PRODUCT_KEY_TAKEN', `product key ${productKey} is taken`, { productKey });
      }
      const values = normalise(input);
      const product = await store.insertProduct(
        {
          name: values.name!,
          productKey,
          manufacturer: values.manufacturer ?? '',
          model: values.model ?? '',
          nodeType: values.nodeType ?? 'direct',
          protocols: values.protocols ?? ['mqtt', 'http'],
          description: values.description ?? '',
          signMethod: values.signMethod ?? 'md5',
        },
        clock.now(),
      );
      await store.insertModule(
        {
          productId: product.id,
          name: 'default',
          kind: 'firmware',
          description: 'The whole device firmware',
        },
        clock.now(),
      );
      return product;
    },

    listProducts: (filter: ProductFilter, page: PageRequest) => store.listProducts(filter, page),

    async updateProduct(id: number, patch: Partial<Omit<ProductInput, 'productKey'>>): Promise<Product> {
      await getProduct(id);
      const product = await store.updateProduct(id, normalise(patch), clock.now());
      if (!product) throw new UpdraftError('NOT_FOUND', `no product ${id}`, { resource: 'product', id });
      return product;
    },

    async deleteProduct(id: number): Promise<void> {
      await getProduct(id);
      await store.deleteProduct(id);
    },

    /**
     * Turns on OneNET's product-level key, or replaces it: the new key is in the answer and
     * nowhere else; devices signing with the old one are refused from now on.
     */
    async rotateAccessKey(id: number): Promise<{ product: Product; accessKey: string }> {
      await getProduct(id);
      const salt = randomToken(16);
      const accessKey = deriveProductKey(serverSecret, salt);
      const product = await store.setAccessKey(id, { salt, hash: sha256Hex(accessKey) }, clock.now());
      if (!product) throw new UpdraftError('NOT_FOUND', `no product ${id}`, { resource: 'product', id });
      return { product, accessKey };
    },

    /** Turns the product-level key off: devices sign with their own keys only. */
    async removeAccessKey(id: number): Promise<Product> {
      await getProduct(id);
      const product = await store.setAccessKey(id, null, clock.now());
      if (!product) throw new UpdraftError('NOT_FOUND', `no product ${id}`, { resource: 'product', id });
      return product;
    },

    /** The product's access key when the product-level key is on (for device authentication). */
    async accessKeyOf(id: number): Promise<string | undefined> {
      const credential = await store.getAccessKey(id);
      if (!credential) return undefined;
      const key = deriveProductKey(serverSecret, credential.salt);
      // A changed server secret makes every derived key wrong; refuse rather than accept it.
      return equalHex(sha256Hex(key), credential.hash) ? key : undefined;
    },

    async listModules(productId: number): Promise<ProductModule[]> {
      await getProduct(productId);
      return store.listModules(productId);
    },

    async pageModules(
      productId: number,
      filter: { kind?: ModuleKind | undefined },
      page: PageRequest,
    ): Promise<Page<ProductModule>> {
      await getProduct(productId);
      return store.pageModules(productId, filter, page);
    },

    async addModule(
      productId: number,
      input: {
        name: string;
        kind?: ModuleKind;
        description?: string;
        manufacturerCode?: string;
        modelCode?: string;
      },
    ): Promise<ProductModule> {
      await getProduct(productId);
      if (!moduleNamePattern.test(input.name)) {
        throw new UpdraftError('VALIDATION_FAILED', 'a module name has 1 to 32 letters, digits, ., - or _', {
          field: 'name',
        });
      }
      if (await store.findModule(productId, input.name)) {
        throw new UpdraftError('MODULE_EXISTS', `product ${productId} has a module ${input.name}`, {
          name: input.name,
        });
      }
      return store.insertModule(
        {
          productId,
          name: input.name,
          kind: input.kind ?? 'module',
          description: checkText('description', input.description ?? '', 1000),
          manufacturerCode: checkCode('manufacturerCode', input.manufacturerCode ?? ''),
          modelCode: checkCode('modelCode', input.modelCode ?? ''),
        },
        clock.now(),
      );
    },

    /** Changes a module's description or its OneNET codes. */
    async updateModule(productId: number, name: string, patch: ModulePatch): Promise<ProductModule> {
      await getProduct(productId);
      const checked: ModulePatch = {
        ...(patch.description !== undefined && {
          description: checkText('description', patch.description, 1000),
        }),
        ...(patch.manufacturerCode !== undefined && {
          manufacturerCode: checkCode('manufacturerCode', patch.manufacturerCode),
        }),
        ...(patch.modelCode !== undefined && { modelCode: checkCode('modelCode', patch.modelCode) }),
      };
      const module = await store.updateModule(productId, name, checked);
      if (!module) {
        throw new UpdraftError('NOT_FOUND', `product ${productId} has no module ${name}`, {
          resource: 'module',
          name,
        });
      }
      return module;
    },

    findModule: (productId: number, name: string) => store.findModule(productId, name),

    async requireModule(productId: number, name: string): Promise<ProductModule> {
      const module = await store.findModule(productId, name);
      if (!module) {
        throw new UpdraftError('NOT_FOUND', `product ${productId} has no module ${name}`, {
          resource: 'module',
          name,
        });
      }
      return module;
    },

    async deleteModule(productId: number, name: string): Promise<void> {
      if (name === 'default') throw new UpdraftError('CONFLICT', 'the default module cannot be removed');
      if (!(await store.deleteModule(productId, name))) {
        throw new UpdraftError('NOT_FOUND', `product ${productId} has no module ${name}`, {
          resource: 'module',
          name,
        });
      }
    },
  };
}

export type CatalogService = ReturnType<typeof createCatalogService>;

import type { Page, PageRequest } from '../pagination.ts';

export const nodeTypes = ['direct', 'gateway', 'subdevice'] as const;
export type NodeType = (typeof nodeTypes)[number];
export const deviceProtocols = ['mqtt', 'http', 'lwm2m'] as const;
export type DeviceProtocol = (typeof deviceProtocols)[number];
export const moduleKinds = ['firmware', 'module', 'mcu'] as const;
export type ModuleKind = (typeof moduleKinds)[number];
export const signMethods = ['md5', 'sha256'] as const;
export type SignMethod = (typeof signMethods)[number];

export interface Product {
  id: number;
  name: string;
  productKey: string;
  manufacturer: string;
  model: string;
  nodeType: NodeType;
  protocols: DeviceProtocol[];
  description: string;
  signMethod: SignMethod;
  /** OneNET's product-level key is on: devices may sign with `res = products/{pid}` (§2.2). */
  productKeyAuth: boolean;
  createdAt: number;
  updatedAt: number;
}

export type ProductInput = Omit<Product, 'id' | 'createdAt' | 'updatedAt' | 'productKeyAuth'>;

/** The stored form of a product access key (ADR 0003): the salt it derives from and its hash. */
export interface ProductKeyCredential {
  salt: string;
  hash: string;
}

export interface ProductModule {
  id: number;
  productId: number;
  name: string;
  kind: ModuleKind;
  description: string;
  createdAt: number;
}

export interface ProductFilter {
  q?: string | undefined;
  nodeType?: NodeType | undefined;
}

/** Persistence of products and their modules (owned by the catalog module). */
export interface CatalogStore {
  insertProduct(input: ProductInput, now: number): Promise<Product>;
  getProduct(id: number): Promise<Product | undefined>;
  findProductByKey(productKey: string): Promise<Product | undefined>;
  listProducts(filter: ProductFilter, page: PageRequest): Promise<Page<Product>>;
  updateProduct(id: number, patch: Partial<ProductInput>, now: number): Promise<Product | undefined>;
  deleteProduct(id: number): Promise<boolean>;
  /** Turns the product-level key on (a credential) or off (null). */
  setAccessKey(
    id: number,
    credential: ProductKeyCredential | null,
    now: number,
  ): Promise<Product | undefined>;
  getAccessKey(id: number): Promise<ProductKeyCredential | undefined>;
  insertModule(input: Omit<ProductModule, 'id' | 'createdAt'>, now: number): Promise<ProductModule>;
  findModule(productId: number, name: string): Promise<ProductModule | undefined>;
  listModules(productId: number): Promise<ProductModule[]>;
  /** One page of the product's modules, optionally of one kind. */
  pageModules(
    productId: number,
    filter: { kind?: ModuleKind | undefined },
    page: PageRequest,
  ): Promise<Page<ProductModule>>;
  deleteModule(productId: number, name: string): Promise<boolean>;
}

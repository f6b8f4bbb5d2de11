import type { Page, PageRequest } from '../pagination.ts';

export const nodeTypes = ['direct', 'gateway', 'subdevice'] as const;
export type NodeType = (typeof nodeTypes)[number];
/**
 * The dialect families a product's devices speak; pushes go only to those (ADR 0010). `mqtt` is
 * ThingsPanel v0.5, `thingspanel-v1` ThingsPanel v1, and `thingspanel-v1-infrom` adds v1's typo
 * push topic to v1's (ADR 0014); `quectel` is QuecThing's binary protocol over MQTT (docs/quectel.md).
 */
export const deviceProtocols = [
  'mqtt',
  'http',
  'lwm2m',
  'thingspanel-v1',
  'thingspanel-v1-infrom',
  'quectel',
] as const;
export type DeviceProtocol = (typeof deviceProtocols)[number];
export const moduleKinds = ['firmware', 'module', 'mcu'] as const;
export type ModuleKind = (typeof moduleKinds)[number];
export const signMethods = ['md5', 'sha256'] as const;
export type SignMethod = (typeof signMethods)[number];

export interface Product {
  id: number;
  name: string;
  productKey: string;
  /** Who makes it and which model it is: descriptive (OneNET's codes are the modules'). */
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
  /**
   * OneNET's manufacturer and model codes of this module (protocols.md §2.7: a FOTA module and
   * a SOTA chip differ), '' when unset; a check that claims others fails with errno 8.
   */
  manufacturerCode: string;
  modelCode: string;
  createdAt: number;
}

export type ModulePatch = Partial<Pick<ProductModule, 'description' | 'manufacturerCode' | 'modelCode'>>;

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
  /** Inserts a module; its codes are '' unless given. */
  insertModule(
    input: Omit<ProductModule, 'id' | 'createdAt' | 'manufacturerCode' | 'modelCode'> & ModulePatch,
    now: number,
  ): Promise<ProductModule>;
  findModule(productId: number, name: string): Promise<ProductModule | undefined>;
  updateModule(productId: number, name: string, patch: ModulePatch): Promise<ProductModule | undefined>;
  listModules(productId: number): Promise<ProductModule[]>;
  /** One page of the product's modules, optionally of one kind. */
  pageModules(
    productId: number,
    filter: { kind?: ModuleKind | undefined },
    page: PageRequest,
  ): Promise<Page<ProductModule>>;
  deleteModule(productId: number, name: string): Promise<boolean>;
}

/** The product aggregate's commands and decisions (the shapes decide.ts works on). */
import type {
  AttributeValue,
  FullProductSnapshot,
  Money,
  ProductChanges,
  ProductEventType,
  ProductStatus,
} from '../../events/catalog-events.js';

/** One variant as a create body, an import line or POST .../variants carries it. */
export interface VariantFields {
  readonly id: string;
  readonly sku: string;
  /** Option name -> value: one value for each of the product's options, no other key. */
  readonly options: Readonly<Record<string, string>>;
  readonly price?: Money;
  readonly attributes?: Readonly<Record<string, AttributeValue>>;
  readonly images?: readonly string[];
  /** Initial stock per warehouse (create and imports); later changes go through adjustments. */
  readonly stock?: Readonly<Record<string, number>>;
}

export type VariantPatch = Partial<
  Pick<VariantFields, 'sku' | 'options' | 'attributes' | 'images'>
>;

export interface ProductFields {
  readonly sku: string;
  readonly name: string;
  readonly description?: string;
  readonly brand?: string | null;
  readonly categoryId?: string | null;
  readonly attributes?: Readonly<Record<string, AttributeValue>>;
  readonly images?: readonly string[];
  readonly price?: Money;
  readonly status?: Exclude<ProductStatus, 'deleted'>;
  /** Initial stock per warehouse (imports); later changes go through adjustments. */
  readonly stock?: Readonly<Record<string, number>>;
  /** Ordered option names, at most 3; required before any variant. */
  readonly options?: readonly string[];
  readonly variants?: readonly VariantFields[];
}

export type DetailsPatch = Partial<
  Pick<
    ProductFields,
    'name' | 'description' | 'brand' | 'categoryId' | 'attributes' | 'images' | 'options'
  >
>;

export type ProductCommand =
  | { readonly type: 'CreateProduct'; readonly id: string; readonly fields: ProductFields }
  | { readonly type: 'ChangeProductDetails'; readonly patch: DetailsPatch }
  | { readonly type: 'SetPrice'; readonly price: Money }
  | {
      readonly type: 'AdjustStock';
      readonly warehouse: string;
      readonly delta: number;
      readonly reason: string;
    }
  | { readonly type: 'PublishProduct' }
  | { readonly type: 'UnpublishProduct' }
  | { readonly type: 'DeleteProduct' }
  | VariantCommand;

/** Commands on one variant; each is one version of the product. */
export type VariantCommand =
  | { readonly type: 'AddVariant'; readonly variant: Omit<VariantFields, 'stock'> }
  | { readonly type: 'ChangeVariant'; readonly variantId: string; readonly patch: VariantPatch }
  | { readonly type: 'SetVariantPrice'; readonly variantId: string; readonly price: Money }
  | {
      readonly type: 'AdjustVariantStock';
      readonly variantId: string;
      readonly warehouse: string;
      readonly delta: number;
      readonly reason: string;
    }
  | { readonly type: 'RemoveVariant'; readonly variantId: string };

export interface ProductDecision {
  readonly type: ProductEventType;
  /** The whole product after the change, options and variants always present. */
  readonly product: FullProductSnapshot;
  readonly changes: ProductChanges;
}

import { assertNever } from '../assert-never.js';
import type { MerchandisingEvent } from './merchandising-events.js';

/**
 * The events the write side commits to the outbox. Each carries the full snapshot after the
 * change (DESIGN rule 2), so a projector never reads the write store.
 */
export type ProductStatus = 'draft' | 'published' | 'archived' | 'deleted';
export type AttributeValue = string | readonly string[] | number;

export interface Money {
  readonly amountMinor: number;
  readonly currency: string;
}

export interface StockLevels {
  readonly available: number;
  readonly byWarehouse: Readonly<Record<string, number>>;
}

/**
 * A sellable SKU of a product with options (API.md "Variants"): its value for each of the
 * product's options, its own price and stock. Variants change under the product's version.
 */
export interface VariantSnapshot {
  readonly id: string;
  readonly sku: string;
  /** Option name -> value, exactly one value for each of the product's `options`. */
  readonly options: Readonly<Record<string, string>>;
  readonly attributes: Readonly<Record<string, AttributeValue>>;
  readonly images: readonly string[];
  readonly price: Money | null;
  readonly stock: StockLevels;
}

export interface ProductSnapshot {
  readonly id: string;
  readonly sku: string;
  readonly name: string;
  readonly description: string;
  readonly brand: string | null;
  readonly categoryId: string | null;
  readonly attributes: Readonly<Record<string, AttributeValue>>;
  readonly images: readonly string[];
  readonly price: Money | null;
  readonly stock: StockLevels;
  readonly status: ProductStatus;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly version: number;
  /**
   * Ordered option names (at most 3, e.g. ["color", "size"]); empty for a product without
   * variants. Snapshots written before variants existed lack both fields: read them through
   * `withVariantDefaults`.
   */
  readonly options?: readonly string[];
  /** The product's variants in their order; empty (or absent) for a single-SKU product. */
  readonly variants?: readonly VariantSnapshot[];
}

/** A snapshot with `options` and `variants` present (empty for a product without variants). */
export type FullProductSnapshot = ProductSnapshot & {
  readonly options: readonly string[];
  readonly variants: readonly VariantSnapshot[];
};

export function withVariantDefaults(p: ProductSnapshot): FullProductSnapshot {
  return { ...p, options: p.options ?? [], variants: p.variants ?? [] };
}

export const productEventTypes = [
  'ProductCreated',
  'ProductDetailsChanged',
  'ProductPriceChanged',
  'ProductStockAdjusted',
  'ProductPublished',
  'ProductUnpublished',
  'ProductDeleted',
  'VariantAdded',
  'VariantChanged',
  'VariantPriceChanged',
  'VariantStockAdjusted',
  'VariantRemoved',
] as const;
export type ProductEventType = (typeof productEventTypes)[number];

/** What a product event changed, beyond the snapshot: the fields, and details of moves. */
export interface ProductChanges {
  readonly fields: readonly string[];
  /** The variant a Variant* event changed; its price and stock moves below are that variant's. */
  readonly variantId?: string;
  readonly price?: { readonly from: Money | null; readonly to: Money };
  readonly stock?: {
    readonly warehouse: string;
    readonly delta: number;
    readonly reason: string;
    readonly onHand: number;
  };
  readonly status?: { readonly from: ProductStatus | null; readonly to: ProductStatus };
}

interface EventEnvelope {
  readonly eventId: string;
  readonly version: number;
  readonly occurredAt: string;
  readonly correlationId: string | null;
}

export interface ProductEvent extends EventEnvelope {
  readonly aggregate: 'product';
  readonly type: ProductEventType;
  readonly productId: string;
  readonly snapshot: ProductSnapshot;
  readonly changes: ProductChanges;
}

export interface CategorySnapshot {
  readonly id: string;
  readonly slug: string;
  readonly name: string;
  readonly parentId: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly version: number;
  /**
   * Present (true) only once the category is deleted: the snapshot of a CategoryDeleted event
   * and of a deleted row. Its version keeps counting, so read models keep a versioned tombstone.
   */
  readonly deleted?: true;
}

export type CategoryEventType = 'CategoryCreated' | 'CategoryChanged' | 'CategoryDeleted';

export interface CategoryEvent extends EventEnvelope {
  readonly aggregate: 'category';
  readonly type: CategoryEventType;
  readonly categoryId: string;
  readonly snapshot: CategorySnapshot;
  readonly changes: { readonly fields: readonly string[] };
}

/** Every event of the outbox: the catalog's, and search merchandising's (merchandising-events.ts). */
export type CatalogEvent = ProductEvent | CategoryEvent | MerchandisingEvent;

/** The id of the aggregate an event belongs to (the outbox's aggregate_id). */
export function aggregateIdOf(event: CatalogEvent): string {
  switch (event.aggregate) {
    case 'product':
      return event.productId;
    case 'category':
      return event.categoryId;
    case 'synonyms':
      return event.synonymSetId;
    case 'search-rule':
      return event.ruleId;
    default:
      return assertNever(event);
  }
}

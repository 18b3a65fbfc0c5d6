import type { ProductEvent, VariantSnapshot } from '../../events/catalog-events.js';

/** Event types that give a variant a price or move its stock: the rows of variant_history. */
export const VARIANT_PRICE_EVENTS = ['ProductCreated', 'VariantAdded', 'VariantPriceChanged'];
export const VARIANT_STOCK_EVENTS = ['VariantStockAdjusted'];

/**
 * The variant_history rows of one product event (tables/0003_variant_history.sql): every priced
 * variant a product is created with (its first price), and the variant a VariantAdded,
 * VariantPriceChanged or VariantStockAdjusted names (`changes.variantId`), with its price or its
 * stock move and the variant's available stock after it. Other events add none.
 */
export function variantHistoryRows(event: ProductEvent): Record<string, unknown>[] {
  const variants = event.snapshot.variants ?? [];
  switch (event.type) {
    case 'ProductCreated':
      return variants.filter((v) => v.price !== null).map((v) => variantRow(event, v));
    case 'VariantAdded':
    case 'VariantPriceChanged':
    case 'VariantStockAdjusted': {
      const variant = variants.find((v) => v.id === event.changes.variantId);
      return variant === undefined ? [] : [variantRow(event, variant)];
    }
    default:
      return [];
  }
}

function variantRow(event: ProductEvent, v: VariantSnapshot): Record<string, unknown> {
  const stock = event.type === 'VariantStockAdjusted' ? event.changes.stock : undefined;
  const price =
    event.type === 'VariantPriceChanged' ? (event.changes.price?.to ?? v.price) : v.price;
  return {
    event_id: event.eventId,
    event_type: event.type,
    product_id: event.productId,
    variant_id: v.id,
    version: event.version,
    occurred_at: event.occurredAt,
    sku: v.sku,
    price_minor: price?.amountMinor ?? null,
    currency: price?.currency ?? null,
    stock_available: v.stock.available,
    stock_delta: stock?.delta ?? null,
    warehouse: stock?.warehouse ?? null,
    reason: stock?.reason ?? null,
  };
}

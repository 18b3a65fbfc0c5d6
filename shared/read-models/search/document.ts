import type { ProductSnapshot } from '../../events/catalog-events.js';

export interface SearchAttribute {
  readonly name: string;
  readonly value: string;
  readonly number?: number;
}

/**
 * The search document of a product, for every status: unpublished and deleted products are kept
 * as `visible: false` documents (tombstones) so their version stays known and a stale event can
 * never bring them back. Searches filter on `visible`.
 */
export function searchDocument(p: ProductSnapshot): Record<string, unknown> {
  return {
    id: p.id,
    sku: p.sku,
    name: p.name,
    brand: p.brand,
    description: p.description,
    categoryId: p.categoryId,
    attributes: searchAttributes(p.attributes),
    priceMinor: p.price?.amountMinor ?? null,
    currency: p.price?.currency ?? null,
    inStock: p.stock.available > 0,
    available: p.stock.available,
    image: p.images[0] ?? null,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
    version: p.version,
    visible: p.status === 'published',
  };
}

/**
 * One nested entry per value, so facets count products per `name=value`; sorted by name so the
 * document is the same whichever key order the snapshot arrived in (jsonb reorders keys).
 */
export function searchAttributes(attributes: ProductSnapshot['attributes']): SearchAttribute[] {
  const byName = Object.entries(attributes).sort(([a], [b]) => (a < b ? -1 : 1));
  return byName.flatMap(([name, value]): SearchAttribute[] => {
    if (typeof value === 'number') return [{ name, value: String(value), number: value }];
    return (typeof value === 'string' ? [value] : value).map((v) => ({ name, value: v }));
  });
}

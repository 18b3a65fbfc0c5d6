import type { ProductSnapshot } from '../../events/catalog-events.js';

/**
 * The search document of a product, for every status: unpublished and deleted products are kept
 * as `visible: false` documents (tombstones) so their version stays known and a stale event can
 * never bring them back. Searches filter on `visible`.
 *
 * The document is flat (no nested documents, DESIGN.md rule 8): one Lucene document per product,
 * so every filter, facet and text match costs per product, not per attribute value.
 * - `tokens`: one keyword `name=value` per attribute value. Filters are `terms` on it
 *   and every attribute facet comes from one `terms` aggregation over it.
 * - `rangeTokens`: for number attributes, `name=<order-preserving hex>`, so
 *   `attr.<name>.min/max` is one keyword range query.
 * - `attributeText`: the values again, analyzed, so a word found only in an attribute
 *   ("merino") still finds the product.
 */
export function searchDocument(p: ProductSnapshot): Record<string, unknown> {
  const attributes = attributeEntries(p.attributes);
  return {
    id: p.id,
    sku: p.sku,
    name: p.name,
    brand: p.brand,
    description: p.description,
    categoryId: p.categoryId,
    tokens: attributes.map((a) => facetToken(a.name, a.value)),
    rangeTokens: attributes.flatMap((a) =>
      a.number === undefined ? [] : [rangeToken(a.name, a.number)],
    ),
    attributeText: attributes.map((a) => a.value),
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

export interface AttributeEntry {
  readonly name: string;
  readonly value: string;
  readonly number?: number;
}

/**
 * One entry per distinct value, sorted by name (then in the list's order) so the document is the
 * same whichever key order the snapshot arrived in (jsonb reorders keys).
 */
export function attributeEntries(attributes: ProductSnapshot['attributes']): AttributeEntry[] {
  const byName = Object.entries(attributes).sort(([a], [b]) => (a < b ? -1 : 1));
  return byName.flatMap(([name, value]): AttributeEntry[] => {
    if (typeof value === 'number') return [{ name, value: String(value), number: value }];
    const values = typeof value === 'string' ? [value] : [...new Set(value)];
    return values.map((v) => ({ name, value: v }));
  });
}

/**
 * The facet and filter token of one value: `name=value`. Names never hold `=` (the write side
 * allows [a-z0-9_]), so the first `=` splits a token back. Variant options will add their values
 * to the same field under their option name, so options facet like attributes.
 */
export const facetToken = (name: string, value: string): string => `${name}=${value}`;

/** The token's name and value (split at the first `=`). */
export function splitFacetToken(token: string): { name: string; value: string } {
  const at = token.indexOf('=');
  return at < 0
    ? { name: token, value: '' }
    : { name: token.slice(0, at), value: token.slice(at + 1) };
}

/**
 * A number as 16 hex digits whose string order is the numeric order: the IEEE 754 bits with the
 * sign bit flipped for positive numbers and every bit flipped for negative ones (-0 is 0).
 */
export function sortableNumber(value: number): string {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value === 0 ? 0 : value);
  const bits = view.getBigUint64(0);
  const sign = 1n << 63n;
  const ordered = (bits & sign) === 0n ? bits | sign : ~bits & 0xffff_ffff_ffff_ffffn;
  return ordered.toString(16).padStart(16, '0');
}

/** The range token of a number attribute: `name=` and its sortable hex (fixed width). */
export const rangeToken = (name: string, value: number): string =>
  `${name}=${sortableNumber(value)}`;

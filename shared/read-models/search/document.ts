import {
  withVariantDefaults,
  type FullProductSnapshot,
  type ProductSnapshot,
} from '../../events/catalog-events.js';
import { priceRange } from '../detail/document.js';
import { rowOptions, variantKeys, variantRows, type VariantRow } from './variant-keys.js';

/**
 * The search document of a product, for every status: unpublished and deleted products are kept
 * as `visible: false` documents (tombstones) so their version stays known and a stale event can
 * never bring them back. Searches filter on `visible`.
 *
 * The document is flat (no nested documents, DESIGN.md rule 8): one Lucene document per product,
 * variants included, so every filter, facet and text match costs per product, not per attribute
 * value or variant.
 * - `tokens`: one keyword `name=value` per attribute value and per option value of any variant.
 *   Filters are `terms` on it and every attribute and option facet comes from one `terms`
 *   aggregation over it, so facets count products.
 * - `rangeTokens`: for number attributes, `name=<order-preserving hex>`, so
 *   `attr.<name>.min/max` is one keyword range query.
 * - `attributeText`: the values again (attributes, options, variant attributes), analyzed, so a
 *   word found only in an attribute ("merino") still finds the product.
 * - `optionNames`, `variantKeys`: the variant combinations (variant-keys.ts), so option filters,
 *   price and stock apply to one and the same variant; `prices`: every variant's price, for the
 *   price facet. `priceMinor` is the lowest price (the "from" price items show and sorts use).
 * - `variants`, `priceRange`, `variantCount`: kept in _source only (not indexed), for the items
 *   and `matchedVariants`.
 */
export function searchDocument(snapshot: ProductSnapshot): Record<string, unknown> {
  const p = withVariantDefaults(snapshot);
  const attributes = attributeEntries(p.attributes);
  const rows = variantRows(p);
  const options = rowOptions(p);
  const range = priceRange(p);
  return {
    id: p.id,
    sku: p.sku,
    skus: [...new Set([p.sku, ...p.variants.map((v) => v.sku)])],
    name: p.name,
    brand: p.brand,
    description: p.description,
    categoryId: p.categoryId,
    tokens: [
      ...new Set([
        ...attributes.map((a) => facetToken(a.name, a.value)),
        ...optionEntries(p).map((o) => facetToken(o.name, o.value)),
      ]),
    ],
    rangeTokens: attributes.flatMap((a) =>
      a.number === undefined ? [] : [rangeToken(a.name, a.number)],
    ),
    attributeText: withExtras(
      attributes.map((a) => a.value),
      [
        ...optionEntries(p).map((o) => o.value),
        ...p.variants.flatMap((v) => attributeEntries(v.attributes).map((a) => a.value)),
      ],
    ),
    optionNames: options,
    variantKeys: variantKeys(options, rows),
    priceMinor: range?.min ?? null,
    currency: range?.currency ?? null,
    prices: rowPrices(rows),
    priceRange: range,
    inStock: rows.some((r) => r.inStock),
    available: p.variants.length > 0 ? sumAvailable(p) : p.stock.available,
    variantCount: p.variants.length,
    variants: p.variants.map((v) => ({
      id: v.id,
      options: p.options.map((name) => v.options[name] ?? null),
      price: v.price?.amountMinor ?? null,
      inStock: v.stock.available > 0,
    })),
    image: p.images[0] ?? null,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
    version: p.version,
    visible: p.status === 'published',
  };
}

/** Every option value of the variants, by option in the product's order, each once. */
function optionEntries(p: FullProductSnapshot): { name: string; value: string }[] {
  return p.options.flatMap((name) => {
    const values = new Set<string>();
    for (const v of p.variants) {
      const value = v.options[name];
      if (value !== undefined) values.add(value);
    }
    return [...values].map((value) => ({ name, value }));
  });
}

/** The list, then each extra not in it yet (the list itself is kept as it is). */
function withExtras(list: readonly string[], extras: readonly string[]): string[] {
  const seen = new Set(list);
  const added = extras.filter((value) => !seen.has(value) && seen.add(value));
  return [...list, ...added];
}

/** The distinct prices of the priced rows, ascending. */
const rowPrices = (rows: readonly VariantRow[]): number[] =>
  [...new Set(rows.flatMap((r) => (r.price === null ? [] : [r.price])))].sort((a, b) => a - b);

const sumAvailable = (p: FullProductSnapshot): number =>
  p.variants.reduce((sum, v) => sum + Math.max(0, v.stock.available), 0);

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
 * allows [a-z0-9_]), so the first `=` splits a token back. Variant option values are in the same
 * field under their option name, so options facet like attributes.
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

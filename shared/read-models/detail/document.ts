import { createHash } from 'node:crypto';
import {
  withVariantDefaults,
  type FullProductSnapshot,
  type Money,
  type ProductSnapshot,
  type VariantSnapshot,
} from '../../events/catalog-events.js';

/**
 * The public product detail, rendered once by the detail projector; GET /v1/products/:id answers
 * these exact bytes. Warehouse-level stock stays private; the storefront sees availability.
 *
 * Every object is built in a fixed key order (attributes sorted by name, a variant's options in
 * the product's option order): snapshots come back from the outbox's jsonb with keys reordered,
 * and the same version must always give the same bytes and ETag, whichever path (event, rebuild,
 * verify) rendered it.
 *
 * Variants (API.md "Variants"): `options` lists each option with its values in the order the
 * variants first use them; `variants` lists each sellable SKU with its option values, price and
 * whether it is in stock; `priceRange` spans the priced variants. A product without variants
 * keeps its shape: `options: []`, `variants: []`, and `priceRange` from its own price (min = max),
 * null when it has no price. For a product with variants, `price` is its lowest variant price (the
 * "from" price search shows and sorts by) and `availability` sums its variants.
 */
export function renderProductDetail(snapshot: ProductSnapshot): string {
  const p = withVariantDefaults(snapshot);
  const range = priceRange(p);
  const hasVariants = p.variants.length > 0;
  const available = hasVariants
    ? p.variants.reduce((sum, v) => sum + Math.max(0, v.stock.available), 0)
    : p.stock.available;
  return JSON.stringify({
    id: p.id,
    sku: p.sku,
    name: p.name,
    description: p.description,
    brand: p.brand,
    categoryId: p.categoryId,
    attributes: sortedByKey(p.attributes),
    images: p.images,
    price: hasVariants
      ? range === null
        ? null
        : money(range.min, range.currency)
      : money(p.price),
    availability: { inStock: available > 0, available },
    options: p.options.map((name) => ({ name, values: optionValues(p.variants, name) })),
    variants: p.variants.map((v) => variantDetail(v, p.options)),
    priceRange: range,
    updatedAt: p.updatedAt,
    version: p.version,
  });
}

export interface PriceRange {
  readonly min: number;
  readonly max: number;
  readonly currency: string;
}

/**
 * The lowest and highest price of the priced variants (of the product itself when it has none),
 * in the currency of the lowest; null when nothing is priced.
 */
export function priceRange(p: FullProductSnapshot): PriceRange | null {
  const prices = (p.variants.length > 0 ? p.variants.map((v) => v.price) : [p.price]).filter(
    (price): price is Money => price !== null,
  );
  const first = prices[0];
  if (first === undefined) return null;
  let low = first;
  let high = first.amountMinor;
  for (const price of prices) {
    if (price.amountMinor < low.amountMinor) low = price;
    if (price.amountMinor > high) high = price.amountMinor;
  }
  return { min: low.amountMinor, max: high, currency: low.currency };
}

/** The values of one option in the order the variants first use them. */
function optionValues(variants: readonly VariantSnapshot[], name: string): string[] {
  const values = new Set<string>();
  for (const v of variants) {
    const value = v.options[name];
    if (value !== undefined) values.add(value);
  }
  return [...values];
}

function variantDetail(v: VariantSnapshot, options: readonly string[]) {
  return {
    id: v.id,
    sku: v.sku,
    options: Object.fromEntries(
      options.flatMap((name) => {
        const value = v.options[name];
        return value === undefined ? [] : [[name, value]];
      }),
    ),
    price: money(v.price),
    inStock: v.stock.available > 0,
    images: v.images,
  };
}

function money(price: Money | null): Money | null;
function money(amountMinor: number, currency: string): Money;
function money(price: Money | number | null, currency?: string): Money | null {
  if (typeof price === 'number') return { amountMinor: price, currency: currency ?? '' };
  return price === null ? null : { amountMinor: price.amountMinor, currency: price.currency };
}

const sortedByKey = <T>(record: Readonly<Record<string, T>>): Record<string, T> =>
  Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : 1)));

/** Strong ETag of the exact bytes, so a change of rendering also changes the tag. */
export function detailEtag(body: string): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
}

/** Redis key names of the detail read model, under the configured prefix. */
export const detailKeys = {
  product: (prefix: string, id: string): string => `${prefix}:detail:product:${id}`,
  categories: (prefix: string): string => `${prefix}:detail:categories`,
  /** Hash: the categories' revision (category-revision.ts). */
  categoryRevision: (prefix: string): string => `${prefix}:detail:categories:revision`,
  /** Pub/sub channel announcing `<id> <version>` whenever a product document changes. */
  versions: (prefix: string): string => `${prefix}:detail:versions`,
} as const;

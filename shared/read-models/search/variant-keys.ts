import type { FullProductSnapshot } from '../../events/catalog-events.js';

/**
 * Variant combinations as flat keyword tokens (DESIGN.md rule 8, decision 0008): how one product
 * document answers "is there ONE variant that is black and XL, in stock, within the price range"
 * without nested documents.
 *
 * A product's sellable rows are its variants, or, without variants, the product itself (a row
 * with no options). For every row and every subset of its options (2^k subsets, k <= 3), the
 * document holds:
 *   `<combo>|<s>`            e.g. `color=black|size=XL|1`
 *   `<combo>|<s>|<price>`    e.g. `color=black|size=XL|1|0000000002599` (priced rows only)
 * where `<combo>` is the subset's `name=value` pairs sorted by name and joined by `|` (empty for
 * the empty subset), values escaped so that `|` always separates, `<s>` is `1` in stock or `0`,
 * and `<price>` the price in minor units, zero-padded to a fixed width so that string order is
 * numeric order. A filter on options is then a `terms` query on combos (one per value
 * combination), and with a price range one keyword `range` per combination and stock flag:
 * only a row that has all the asked values, the stock and the price can hold such a token.
 */

export interface VariantRow {
  /** Option name -> value (empty for a product without variants). */
  readonly options: Readonly<Record<string, string>>;
  readonly price: number | null;
  readonly inStock: boolean;
}

/**
 * The sellable rows of a product: its variants, or the product itself when it has none (also
 * when it declares options but has no variant yet, or any more: then its own price and stock are
 * the ones it sells, as on the write side).
 */
export function variantRows(p: FullProductSnapshot): VariantRow[] {
  if (p.variants.length === 0) {
    return [{ options: {}, price: p.price?.amountMinor ?? null, inStock: p.stock.available > 0 }];
  }
  return p.variants.map((v) => ({
    options: v.options,
    price: v.price?.amountMinor ?? null,
    inStock: v.stock.available > 0,
  }));
}

/** Digits of a price in a key: amounts are integers in [0, 10^13). */
export const PRICE_DIGITS = 13;
const PRICE_MAX = 10 ** PRICE_DIGITS - 1;

/** A price as fixed-width digits (clamped to the key's range), so string order is numeric. */
export const priceKeyPart = (amountMinor: number): string =>
  String(Math.min(PRICE_MAX, Math.max(0, Math.trunc(amountMinor)))).padStart(PRICE_DIGITS, '0');

/** A value inside a combination: `\` and `|` escaped, so `|` only ever separates. */
export const escapeKeyValue = (value: string): string => value.replace(/[\\|]/g, (c) => `\\${c}`);

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The combination of `name=value` pairs: sorted by name, values escaped. */
export function comboKey(pairs: readonly (readonly [string, string])[]): string {
  return [...pairs]
    .sort(([a], [b]) => byName(a, b))
    .map(([name, value]) => `${name}=${escapeKeyValue(value)}`)
    .join('|');
}

export const stockKey = (combo: string, inStock: boolean): string =>
  `${combo}|${inStock ? '1' : '0'}`;

export const priceKey = (combo: string, inStock: boolean, amountMinor: number): string =>
  `${stockKey(combo, inStock)}|${priceKeyPart(amountMinor)}`;

/** Every subset of the names (as index lists), the empty one first. */
export function subsets<T>(items: readonly T[]): T[][] {
  const out: T[][] = [[]];
  for (const item of items) out.push(...out.map((subset) => [...subset, item]));
  return out;
}

/** The options the rows have values for: none without variants. */
export const rowOptions = (p: FullProductSnapshot): readonly string[] =>
  p.variants.length === 0 ? [] : p.options;

/**
 * The combination tokens of all rows, deduplicated, in a stable order (rows in order, subsets
 * by the product's option order), whatever the key order of the snapshot's option objects.
 */
export function variantKeys(optionNames: readonly string[], rows: readonly VariantRow[]): string[] {
  const keys = new Set<string>();
  const names = subsets(optionNames);
  for (const row of rows) {
    for (const subset of names) {
      const pairs = subset.flatMap((name): [string, string][] => {
        const value = row.options[name];
        return value === undefined ? [] : [[name, value]];
      });
      if (pairs.length !== subset.length) continue; // a row without a value for an option
      const combo = comboKey(pairs);
      keys.add(stockKey(combo, row.inStock));
      if (row.price !== null) keys.add(priceKey(combo, row.inStock, row.price));
    }
  }
  return [...keys];
}

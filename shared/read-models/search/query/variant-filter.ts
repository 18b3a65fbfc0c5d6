import { productLimits } from '../../../write-model/products/limits.js';
import { comboKey, priceKeyPart, stockKey, subsets } from '../variant-keys.js';

type Json = Record<string, unknown>;

/**
 * The per-variant part of the filters: "some ONE variant of the product has all of these" (for a
 * product without variants, the product itself). Option filters, the price range and in_stock all
 * apply to that same variant (API.md "Variants"), over the combination tokens of
 * variant-keys.ts.
 *
 * Whether a filtered name is an option depends on the product: `color` may be an option of one
 * product and an attribute of another. For the names S of the option filters, the product's
 * options among S are some subset O (at most optionsMax names), so the clause is a disjunction
 * over every such O: a combination token over O (any asked value of each), and none of the other
 * names of S is an option of the product (`optionNames`). The other names of S are then product
 * attributes, matched by their flat tokens, which the caller's attribute clauses already require.
 */
export interface VariantCondition {
  /** Option filters by name (sorted by name), each any of its values. */
  readonly options: readonly { readonly name: string; readonly values: readonly string[] }[];
  readonly priceMin?: number;
  readonly priceMax?: number;
  readonly inStock: boolean;
}

export const NO_VARIANT_CONDITION: VariantCondition = { options: [], inStock: false };

const hasPrice = (c: VariantCondition): boolean =>
  c.priceMin !== undefined || c.priceMax !== undefined;

/**
 * Whether the condition can hold on some variants of a product and not on others, given the
 * option names of the products in question: a price or stock condition does, and so does an
 * option filter on one of those names. Filters on names that are no option there hold on every
 * variant alike (they are product attributes).
 */
export const variesAcrossVariants = (c: VariantCondition, optionNames: ReadonlySet<string>) =>
  optionNames.size > 0 &&
  (hasPrice(c) || c.inStock || c.options.some((o) => optionNames.has(o.name)));

/** True when the condition constrains nothing (then it needs no clause). */
export const isEmptyCondition = (c: VariantCondition): boolean =>
  c.options.length === 0 && !hasPrice(c) && !c.inStock;

/** Every combination of one value per name (names in the order given). */
function combinations(
  options: readonly { readonly name: string; readonly values: readonly string[] }[],
): [string, string][][] {
  let out: [string, string][][] = [[]];
  for (const { name, values } of options) {
    out = out.flatMap((pairs) => values.map((v): [string, string][] => [...pairs, [name, v]]));
  }
  return out;
}

/** The option subsets a product can have among the filtered names (at most optionsMax). */
const branches = (c: VariantCondition) =>
  subsets(c.options).filter((subset) => subset.length <= productLimits.optionsMax);

const stockFlags = (c: VariantCondition): boolean[] => (c.inStock ? [true] : [false, true]);

/**
 * The tokens (no price) or token ranges (price) of one option subset.
 *
 * The empty subset with a price and either stock flag asks "some row has a price in range",
 * which is what `prices` (every priced row's price, a long field) answers with one BKD range.
 * The two keyword ranges it replaces span every row of every product (`|0|…`, `|1|…`: no
 * combination narrows them), and the engine builds such a range's doc set over the whole index
 * before intersecting it (eagerly in filter and filters aggregations), which made it the costliest
 * clause of a variant condition (decision 0008, "Measured at 30k").
 */
function keysClause(c: VariantCondition, subset: VariantCondition['options']): Json {
  if (subset.length === 0 && hasPrice(c) && !c.inStock) {
    return { range: { prices: rowPriceRange(c) } };
  }
  const combos = combinations(subset).map(comboKey);
  const flags = stockFlags(c);
  if (!hasPrice(c)) {
    return {
      terms: { variantKeys: combos.flatMap((combo) => flags.map((s) => stockKey(combo, s))) },
    };
  }
  const low = priceKeyPart(c.priceMin ?? 0);
  const high = priceKeyPart(c.priceMax ?? Number.MAX_SAFE_INTEGER);
  const ranges = combos.flatMap((combo) =>
    flags.map((s) => ({
      range: {
        variantKeys: { gte: `${stockKey(combo, s)}|${low}`, lte: `${stockKey(combo, s)}|${high}` },
      },
    })),
  );
  return ranges.length === 1 && ranges[0] !== undefined
    ? ranges[0]
    : { bool: { should: ranges, minimum_should_match: 1 } };
}

/**
 * The condition's price bounds on `prices`. Prices are integers in [0, 10^13) (variant-keys.ts)
 * and so are the bounds (params.ts, exact-facets.ts), so these are exactly the keys' bounds.
 */
const rowPriceRange = (c: VariantCondition): Json => ({
  ...(c.priceMin === undefined ? {} : { gte: c.priceMin }),
  ...(c.priceMax === undefined ? {} : { lte: c.priceMax }),
});

/** The branch of one option subset: its keys, and none of the other names is an option. */
function branchClause(c: VariantCondition, subset: VariantCondition['options']): Json {
  const others = c.options.filter((o) => !subset.includes(o)).map((o) => o.name);
  const notOptions = others.length === 0 ? {} : { must_not: [{ terms: { optionNames: others } }] };
  if (subset.length === 0 && !hasPrice(c) && !c.inStock) return { bool: notOptions };
  const keys = keysClause(c, subset);
  return others.length === 0 ? keys : { bool: { filter: [keys], ...notOptions } };
}

const anyOf = (clauses: readonly Json[]): Json =>
  clauses.length === 1 && clauses[0] !== undefined
    ? clauses[0]
    : { bool: { should: [...clauses], minimum_should_match: 1 } };

/**
 * The clause "one variant satisfies the condition", or undefined when it constrains nothing.
 * The branch where none of the names is an option needs no key without a price or stock: every
 * product has a row (a product without variants is its own), so it is only the must_not (which
 * spares the engine the longest postings list there is, the one of every row).
 */
export function variantClause(c: VariantCondition): Json | undefined {
  if (isEmptyCondition(c)) return undefined;
  return anyOf(branches(c).map((subset) => branchClause(c, subset)));
}

/**
 * The clause of `c` with `name` = `value` added (a name `c` does not filter), in two parts that
 * no product matches both of, since combination keys over `name` exist only where it is an
 * option:
 * - `asAttribute`: `name` is no option of the product and one row satisfies `c`. It does not
 *   depend on the value, so a facet recount evaluates it once for all values (with their flat
 *   tokens) instead of once per value (exact-facets.ts);
 * - `asOption`: one row has `name` = `value` and satisfies `c` (undefined when no product can
 *   have it: `c` already names the most options a product has).
 * The product matches the whole clause exactly when it matches one part.
 */
export function withOptionClauses(
  c: VariantCondition,
  name: string,
  value: string,
): { asAttribute: Json; asOption: Json | undefined } {
  const added = { name, values: [value] };
  const extended: VariantCondition = { ...c, options: [...c.options, added] };
  const asOption = branches(extended)
    .filter((subset) => subset.includes(added))
    .map((subset) => branchClause(extended, subset));
  const condition = variantClause(c);
  return {
    asAttribute: {
      bool: {
        ...(condition === undefined ? {} : { filter: [condition] }),
        must_not: [{ terms: { optionNames: [name] } }],
      },
    },
    asOption: asOption.length === 0 ? undefined : anyOf(asOption),
  };
}

/**
 * What a condition's clause costs the engine: leaf queries and tokens in terms queries. (The
 * empty subset's price is one `prices` range, counted as its two key ranges: the bound stays
 * what it was, so the same requests are accepted.)
 */
export function variantClauseCost(c: VariantCondition): { clauses: number; terms: number } {
  if (isEmptyCondition(c)) return { clauses: 0, terms: 0 };
  let clauses = 0;
  let terms = 0;
  const flags = stockFlags(c).length;
  for (const subset of branches(c)) {
    const combos = subset.reduce((n, o) => n * o.values.length, 1);
    const keyed = subset.length > 0 || hasPrice(c) || c.inStock;
    if (keyed && hasPrice(c)) clauses += combos * flags;
    if (keyed && !hasPrice(c)) {
      clauses += 1;
      terms += combos * flags;
    }
    if (subset.length < c.options.length) clauses += 1;
  }
  return { clauses, terms };
}

/**
 * Bounds on a search's variant condition. The engine refuses a query of more than 1024 leaf
 * clauses (OpenSearch's default). The variant clause never shares a query with the text (a text
 * search puts its filters in post_filter and aggregations, a browse has no text), so half of that
 * is its share; the bound holds with one more option name, which exact facet counting adds
 * (exact-facets.ts).
 */
export const VARIANT_CONDITION_LIMITS = { clauses: 512, terms: 4096 } as const;

/** The condition with one more single-valued option (the facet counting's worst case). */
export function withProbeOption(c: VariantCondition): VariantCondition {
  return { ...c, options: [...c.options, { name: '\u{10ffff}', values: [''] }] };
}

import { facetToken } from '../document.js';
import type { SearchFacets, ValueCount } from './facet-counts.js';
import { bucketKeys, facetNodes } from './facet-counts.js';
import { OPTION_NAMES_AGG, PRICE_RANGES, type FacetPlan, type OwnGroup } from './facets.js';
import { variantConditionBut, type FacetGroup, type GroupFilter, type Json } from './filters.js';
import {
  variantClause,
  variesAcrossVariants,
  withOptionClauses,
  type VariantCondition,
} from './variant-filter.js';

/**
 * Exact facet counts under variant filters (API.md "Variants"; decision 0008).
 *
 * A facet value counts a product when some ONE variant matches every other selected filter
 * together with that value: `size=XL` under `color=black` counts a product sold as black-XL, not
 * one sold as black-M and grey-XL. The terms and range aggregations of the main body (facets.ts)
 * count per product, whatever variant a value is on: exact without variant filters, and for
 * products without options, but only an upper bound otherwise. So, when a scope of the main body
 * counted products with options under a variant condition, a second body counts again, for each
 * value the first one listed (exact count > 0 implies listed: the bound is an upper one), a
 * `filters` aggregation of "one variant matches the condition and has this value". Only option
 * names, price ranges and stock are recounted: brand and category are product properties, and a
 * name that is no option in the scope is an attribute of every product there. When the condition
 * holds on every variant of the scope's products alike, the first counts are exact: no recount.
 */

/**
 * A value to recount: the clause of "one variant has it, with the other filters" (a bucket of
 * the scope's filters aggregation; none when no product can match it), and for an option value
 * the part where its name is no option, counted by the token in an aggregation it shares with
 * the name's other values (variant-filter.ts, withOptionClauses).
 */
interface Candidate {
  readonly key: string;
  readonly clause?: Json;
  readonly asAttribute?: { readonly agg: string; readonly token: string };
  readonly apply: (facets: Recounted, count: number) => void;
}

interface Scope {
  /** The group whose facet the scope counts (none: the shared facets, with every filter). */
  readonly group?: FacetGroup;
  readonly candidates: readonly Candidate[];
  /** Per option name recounted: "it is no option and one row satisfies the others". */
  readonly asAttribute: Readonly<Record<string, Json>>;
}

/** The facets being recounted: fresh lists, filled per candidate. */
interface Recounted {
  price: Map<number, number>;
  inStock: Map<boolean, number>;
  attributes: Map<string, Map<string, number>>;
}

export interface ExactFacetRecount {
  /** The body to send (size 0; the same query as the main one, the filters in aggregations). */
  readonly body: Json;
  /** The facets with the recounted values replaced. */
  apply(aggregations: unknown): SearchFacets;
}

const clauseOf = (c: VariantCondition): Json[] => {
  const clause = variantClause(c);
  return clause === undefined ? [] : [clause];
};

function priceCandidates(c: VariantCondition, scope: number): Candidate[] {
  return PRICE_RANGES.map((range, i) => ({
    key: `s${scope}_price_${i}`,
    clause: {
      bool: {
        filter: clauseOf({
          ...c,
          priceMin: range.from,
          ...(range.to === null ? {} : { priceMax: range.to - 1 }),
        }),
      },
    },
    apply: (f, count) => void f.price.set(i, count),
  }));
}

function stockCandidates(c: VariantCondition, scope: number): Candidate[] {
  const inStock = clauseOf({ ...c, inStock: true });
  return [
    {
      key: `s${scope}_stock_true`,
      clause: { bool: { filter: inStock } },
      apply: (f, count) => void f.inStock.set(true, count),
    },
    {
      key: `s${scope}_stock_false`,
      clause: { bool: { filter: clauseOf(c), must_not: inStock } },
      apply: (f, count) => void f.inStock.set(false, count),
    },
  ];
}

/**
 * The values of one option name: per value, the part where the name is an option (a filters
 * bucket), and the part where it is not, which is the same clause for every value: one filter
 * aggregation with a terms aggregation over the values' tokens (`agg`), evaluated once instead
 * of once per value. The two parts never count the same product, so the count is their sum.
 */
function optionCandidates(
  c: VariantCondition,
  scope: number,
  name: string,
  values: readonly ValueCount<string>[],
  agg: string,
): { candidates: Candidate[]; asAttribute: Json } {
  const tokens = values.map(({ value }) => facetToken(name, value));
  const candidates = values.map(({ value }, i): Candidate => {
    const token = facetToken(name, value);
    const { asOption } = withOptionClauses(c, name, value);
    return {
      key: `s${scope}_attr_${i}_${name}`,
      ...(asOption === undefined
        ? {}
        : { clause: { bool: { filter: [{ term: { tokens: token } }, asOption] } } }),
      asAttribute: { agg, token },
      apply: (f, count) => {
        const counts = f.attributes.get(name) ?? new Map<string, number>();
        f.attributes.set(name, counts.set(value, count));
      },
    };
  });
  const { asAttribute } = withOptionClauses(c, name, '');
  return {
    candidates,
    asAttribute: {
      filter: asAttribute,
      aggs: { tokens: { terms: { field: 'tokens', include: tokens, size: tokens.length } } },
    },
  };
}

/** The candidates of some option names, each name's as-attribute aggregation numbered. */
function optionScope(
  c: VariantCondition,
  scope: number,
  named: readonly (readonly [string, readonly ValueCount<string>[]])[],
): { candidates: Candidate[]; asAttribute: Record<string, Json> } {
  const parts = named
    .filter(([, values]) => values.length > 0)
    .map(([name, values], i) => optionCandidates(c, scope, name, values, `as_attribute_${i}`));
  return {
    candidates: parts.flatMap((p) => p.candidates),
    asAttribute: Object.fromEntries(parts.map((p, i) => [`as_attribute_${i}`, p.asAttribute])),
  };
}

/** The scope of the shared facets, when they need recounting. */
function sharedScope(plan: FacetPlan, facets: SearchFacets, options: Set<string>): Scope {
  const condition = variantConditionBut(plan.filters);
  const n = 0;
  const named = Object.entries(facets.attributes).filter(
    ([name]) => options.has(name) && !plan.selectedAttributes.includes(name),
  );
  const option = optionScope(condition, n, named);
  const candidates = [
    ...(plan.sharedFixed.includes('price') ? priceCandidates(condition, n) : []),
    ...(plan.sharedFixed.includes('inStock') ? stockCandidates(condition, n) : []),
    ...option.candidates,
  ];
  return { candidates, asAttribute: option.asAttribute };
}

function ownScope(
  group: OwnGroup,
  index: number,
  plan: FacetPlan,
  facets: SearchFacets,
  options: Set<string>,
): Scope {
  const condition = variantConditionBut(plan.filters, group.group);
  if (group.facet === 'price') {
    return { group: group.group, candidates: priceCandidates(condition, index), asAttribute: {} };
  }
  if (group.facet === 'inStock') {
    return { group: group.group, candidates: stockCandidates(condition, index), asAttribute: {} };
  }
  const name = typeof group.facet === 'object' ? group.facet.attribute : undefined;
  const option =
    name !== undefined && options.has(name)
      ? optionScope(condition, index, [[name, facets.attributes[name] ?? []]])
      : { candidates: [], asAttribute: {} };
  return { group: group.group, ...option };
}

/**
 * The recount for a main body's answer, or undefined when its counts are exact already: no
 * variant condition among a scope's other filters, no product with options in that scope, or a
 * condition that holds on all variants of those products alike (only option filters on names
 * that are no option there).
 * `queryWith` builds the main body's query with the given filter clauses (searchQuery).
 */
/** The product clauses of some of the filters. */
const clausesOf = (filters: readonly GroupFilter[]): Json[] =>
  filters.flatMap((f) => (f.clause === undefined ? [] : [f.clause]));

export function exactFacetRecount(
  queryWith: (filter: readonly Json[]) => Json,
  plan: FacetPlan,
  aggregations: unknown,
  facets: SearchFacets,
): ExactFacetRecount | undefined {
  const nodes = facetNodes(aggregations, plan);
  const optionNames = (node: Record<string, unknown>) =>
    new Set(bucketKeys(node[OPTION_NAMES_AGG]));
  const scopes: Scope[] = [];
  const shared = optionNames(nodes.shared);
  if (plan.sharedVariantCheck && variesAcrossVariants(variantConditionBut(plan.filters), shared)) {
    scopes.push(sharedScope(plan, facets, shared));
  }
  plan.own.forEach((group, i) => {
    const options = optionNames(nodes.own(group));
    const others = variantConditionBut(plan.filters, group.group);
    if (group.variantCheck && variesAcrossVariants(others, options)) {
      scopes.push(ownScope(group, i + 1, plan, facets, options));
    }
  });
  const used = scopes.filter((s) => s.candidates.length > 0);
  if (used.length === 0) return undefined;
  // The product clauses of the groups no scope leaves out are common to all: in the query, so
  // only the matching products reach the aggregations.
  const scoped = new Set(used.map((scope) => scope.group));
  const common = plan.filters.filter((f) => !scoped.has(f.group));
  const aggs = Object.fromEntries(
    used.map((scope, i) => [
      `exact_${i}`,
      {
        filter: {
          bool: {
            filter: clausesOf(
              plan.filters.filter((f) => scoped.has(f.group) && f.group !== scope.group),
            ),
          },
        },
        aggs: { ...valuesAgg(scope.candidates), ...scope.asAttribute },
      },
    ]),
  );
  return {
    body: { size: 0, track_total_hits: false, query: queryWith(clausesOf(common)), aggs },
    apply: (recountAggregations) => {
      const recounted: Recounted = { price: new Map(), inStock: new Map(), attributes: new Map() };
      used.forEach((scope, i) => {
        const counts = filtersCounts(recountAggregations, `exact_${i}`);
        const tokens = asAttributeCounts(recountAggregations, `exact_${i}`);
        for (const candidate of scope.candidates) {
          const { agg, token } = candidate.asAttribute ?? { agg: '', token: '' };
          const asAttribute = tokens.get(agg)?.get(token) ?? 0;
          candidate.apply(recounted, (counts.get(candidate.key) ?? 0) + asAttribute);
        }
      });
      return replaceCounts(facets, recounted);
    },
  };
}

/** The filters aggregation of the candidates' clauses (none when no candidate has one). */
function valuesAgg(candidates: readonly Candidate[]): Json {
  const filters = candidates.flatMap((c): [string, Json][] =>
    c.clause === undefined ? [] : [[c.key, c.clause]],
  );
  return filters.length === 0
    ? {}
    : { values: { filters: { filters: Object.fromEntries(filters) } } };
}

/** The doc counts of a keyed filters aggregation under `exact_<i>`. */
function filtersCounts(aggregations: unknown, name: string): Map<string, number> {
  const scope = (aggregations as Record<string, { values?: { buckets?: unknown } }> | undefined)?.[
    name
  ];
  const buckets = scope?.values?.buckets;
  const out = new Map<string, number>();
  if (typeof buckets !== 'object' || buckets === null) return out;
  for (const [key, bucket] of Object.entries(buckets as Record<string, { doc_count?: unknown }>)) {
    out.set(key, typeof bucket.doc_count === 'number' ? bucket.doc_count : 0);
  }
  return out;
}

/** The token counts of each `as_attribute_<j>` aggregation under `exact_<i>`. */
function asAttributeCounts(aggregations: unknown, name: string): Map<string, Map<string, number>> {
  const scope = (aggregations as Record<string, Record<string, unknown>> | undefined)?.[name] ?? {};
  const out = new Map<string, Map<string, number>>();
  for (const [agg, node] of Object.entries(scope)) {
    if (!agg.startsWith('as_attribute_')) continue;
    const buckets = (node as { tokens?: { buckets?: { key?: unknown; doc_count?: unknown }[] } })
      .tokens?.buckets;
    out.set(
      agg,
      new Map(
        (buckets ?? []).map((b) => [
          String(b.key),
          typeof b.doc_count === 'number' ? b.doc_count : 0,
        ]),
      ),
    );
  }
  return out;
}

/** Most first, then by value (the engine's terms order), without the values no product has. */
function ranked<V extends string | boolean>(counts: Map<V, number>): ValueCount<V>[] {
  return [...counts]
    .filter(([, count]) => count > 0)
    .map(([value, count]) => ({ value, count }))
    .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
}

function replaceCounts(facets: SearchFacets, recounted: Recounted): SearchFacets {
  const attributes = { ...facets.attributes };
  for (const [name, counts] of recounted.attributes) attributes[name] = ranked(counts);
  return {
    ...facets,
    price:
      recounted.price.size === 0
        ? facets.price
        : facets.price.map((bucket, i) => ({ ...bucket, count: recounted.price.get(i) ?? 0 })),
    inStock: recounted.inStock.size === 0 ? facets.inStock : ranked(recounted.inStock),
    attributes,
  };
}

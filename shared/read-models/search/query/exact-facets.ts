import { facetToken } from '../document.js';
import type { SearchFacets, ValueCount } from './facet-counts.js';
import { bucketKeys, facetNodes } from './facet-counts.js';
import { OPTION_NAMES_AGG, PRICE_RANGES, type FacetPlan, type OwnGroup } from './facets.js';
import { variantConditionBut, type FacetGroup, type GroupFilter, type Json } from './filters.js';
import { variantClause, variesAcrossVariants, type VariantCondition } from './variant-filter.js';

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

/** A value to recount and the clause of "one variant has it, with the other filters". */
interface Candidate {
  readonly key: string;
  readonly clause: Json;
  readonly apply: (facets: Recounted, count: number) => void;
}

interface Scope {
  /** The group whose facet the scope counts (none: the shared facets, with every filter). */
  readonly group?: FacetGroup;
  readonly candidates: readonly Candidate[];
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

const withOption = (c: VariantCondition, name: string, value: string): VariantCondition => ({
  ...c,
  options: [...c.options, { name, values: [value] }],
});

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

function optionCandidates(
  c: VariantCondition,
  scope: number,
  name: string,
  values: readonly ValueCount<string>[],
): Candidate[] {
  return values.map(({ value }, i) => ({
    key: `s${scope}_attr_${i}_${name}`,
    clause: {
      bool: {
        filter: [
          { term: { tokens: facetToken(name, value) } },
          ...clauseOf(withOption(c, name, value)),
        ],
      },
    },
    apply: (f, count) => {
      const counts = f.attributes.get(name) ?? new Map<string, number>();
      f.attributes.set(name, counts.set(value, count));
    },
  }));
}

/** The scope of the shared facets, when they need recounting. */
function sharedScope(plan: FacetPlan, facets: SearchFacets, options: Set<string>): Scope {
  const condition = variantConditionBut(plan.filters);
  const n = 0;
  const candidates = [
    ...(plan.sharedFixed.includes('price') ? priceCandidates(condition, n) : []),
    ...(plan.sharedFixed.includes('inStock') ? stockCandidates(condition, n) : []),
    ...Object.entries(facets.attributes)
      .filter(([name]) => options.has(name) && !plan.selectedAttributes.includes(name))
      .flatMap(([name, values]) => optionCandidates(condition, n, name, values)),
  ];
  return { candidates };
}

function ownScope(
  group: OwnGroup,
  index: number,
  plan: FacetPlan,
  facets: SearchFacets,
  options: Set<string>,
): Scope {
  const condition = variantConditionBut(plan.filters, group.group);
  const candidates =
    group.facet === 'price'
      ? priceCandidates(condition, index)
      : group.facet === 'inStock'
        ? stockCandidates(condition, index)
        : typeof group.facet === 'object' && options.has(group.facet.attribute)
          ? optionCandidates(
              condition,
              index,
              group.facet.attribute,
              facets.attributes[group.facet.attribute] ?? [],
            )
          : [];
  return { group: group.group, candidates };
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
        aggs: {
          values: {
            filters: {
              filters: Object.fromEntries(scope.candidates.map((c) => [c.key, c.clause])),
            },
          },
        },
      },
    ]),
  );
  return {
    body: { size: 0, track_total_hits: false, query: queryWith(clausesOf(common)), aggs },
    apply: (recountAggregations) => {
      const recounted: Recounted = { price: new Map(), inStock: new Map(), attributes: new Map() };
      used.forEach((scope, i) => {
        const counts = filtersCounts(recountAggregations, `exact_${i}`);
        for (const candidate of scope.candidates) {
          candidate.apply(recounted, counts.get(candidate.key) ?? 0);
        }
      });
      return replaceCounts(facets, recounted);
    },
  };
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

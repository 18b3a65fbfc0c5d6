import {
  VISIBLE,
  clausesBut,
  groupFilters,
  variantConditionBut,
  type BodyFilters,
  type FacetGroup,
  type GroupFilter,
  type Json,
} from './filters.js';
import { isEmptyCondition } from './variant-filter.js';

/**
 * Facets at a cost of K+1 aggregations, K being the facet groups with a selection (filters.ts).
 *
 * Without a selection every facet is an aggregation of the main query itself, whose filters sit
 * in the query (no post_filter). With selections, the facets of the unselected groups see every
 * filter, so they share one aggregation; each selected group's facet is counted with every filter
 * but its own, in one aggregation of its own. Where those sit depends on the query:
 * - a browse (no text) keeps every filter in the main query, so hits and the shared facets only
 *   touch matching products; each selected group counts from a `global` aggregation filtered by
 *   visibility and the other filters (no text to repeat);
 * - a text search keeps only the text in the query (it is the costly part; it runs once), the
 *   filters in post_filter, the shared facets in one filter aggregation with every filter, and
 *   each selected group in a filter aggregation with the others.
 * Attribute facets come from one terms aggregation over the `name=value` tokens, grouped by name
 * when mapped; a selected name's own group keeps only its tokens (an `include` regex) and the
 * shared one leaves them out (`exclude`). The counts are the disjunctive counts either way.
 *
 * Variants: these aggregations count a product once per value it has on any variant. With a
 * variant filter among the others (an option value, price, stock), a value must be on a variant
 * that also satisfies them; where a counted product has options, the counts of the option, price
 * and stock facets are recounted exactly by exact-facets.ts. Each such scope carries an
 * `option_names` aggregation saying which option names its products have (none: nothing to fix).
 */
export const FIXED_FACETS = ['brand', 'category', 'price', 'inStock'] as const;
export type FixedFacet = (typeof FIXED_FACETS)[number];

/** Which facets a request computes (the `facets` parameter). */
export interface FacetSelection {
  readonly fixed: readonly FixedFacet[];
  /** Every attribute name, or only these. */
  readonly attributes: 'all' | readonly string[];
}

export const ALL_FACETS: FacetSelection = { fixed: FIXED_FACETS, attributes: 'all' };

/** Fixed price facet ranges in minor units: from inclusive, to exclusive (null: no upper end). */
export const PRICE_RANGES: readonly { readonly from: number; readonly to: number | null }[] = [
  { from: 0, to: 1_000 },
  { from: 1_000, to: 2_500 },
  { from: 2_500, to: 5_000 },
  { from: 5_000, to: 10_000 },
  { from: 10_000, to: 25_000 },
  { from: 25_000, to: null },
];

/** Buckets per facet (the most frequent values first). */
export const FACET_SIZES = {
  brand: 50,
  category: 100,
  /** Attribute names listed, the most frequent first. */
  attributeNames: 20,
  /** Values listed per attribute name. */
  attributeValues: 30,
  /** Tokens (name=value) the shared attribute aggregation returns, before grouping by name. */
  attributeTokens: 1000,
} as const;

/** A facet computed in its own aggregation: a group with a selection. */
export interface OwnGroup {
  /** The aggregation's name (attribute names are client data, so they are numbered). */
  readonly agg: string;
  readonly group: FacetGroup;
  readonly facet: FixedFacet | { readonly attribute: string };
  /** Its counts may need the exact recount: the other groups have a variant condition. */
  readonly variantCheck: boolean;
}

/** The facets whose values are variant properties (an option, a price, the stock). */
const VARIANT_FACETS: readonly FixedFacet[] = ['price', 'inStock'];

/** The aggregation saying which option names a scope's products have. */
export const OPTION_NAMES_AGG = 'option_names';
const optionNamesAgg: Json = { terms: { field: 'optionNames', size: 50 } };

export interface FacetPlan {
  /** True: the main query carries every filter. False: they are in post_filter. */
  readonly filtersInQuery: boolean;
  readonly filters: readonly GroupFilter[];
  /** Requested facets of groups without a selection: computed together, with every filter. */
  readonly sharedFixed: readonly FixedFacet[];
  /** Attribute names in the shared token aggregation ('all' but the selected ones), if any. */
  readonly sharedAttributes: { readonly include: 'all' | readonly string[] } | undefined;
  /** Selected attribute names, left out of the shared token aggregation. */
  readonly selectedAttributes: readonly string[];
  readonly own: readonly OwnGroup[];
  /** The shared facets may need the exact recount: the filters have a variant condition. */
  readonly sharedVariantCheck: boolean;
}

const wanted = (selection: FacetSelection, name: string): boolean =>
  selection.attributes === 'all' || selection.attributes.includes(name);

export function facetPlan(
  filters: BodyFilters,
  selection: FacetSelection,
  browse: boolean,
): FacetPlan {
  const groups = groupFilters(filters);
  const selected = new Set(groups.map((f) => f.group));
  const selectedAttributes = filters.attributes.map((a) => a.name);
  const variantOthers = (group?: FacetGroup) =>
    !isEmptyCondition(variantConditionBut(groups, group));
  const own: OwnGroup[] = [
    ...FIXED_FACETS.filter((f) => selected.has(f) && selection.fixed.includes(f)).map(
      (facet): OwnGroup => ({
        agg: `group_${facet}`,
        group: facet,
        facet,
        variantCheck: VARIANT_FACETS.includes(facet) && variantOthers(facet),
      }),
    ),
    ...filters.attributes.flatMap((a, i): OwnGroup[] =>
      wanted(selection, a.name)
        ? [
            {
              agg: `group_attr_${i}`,
              group: `attr:${a.name}`,
              facet: { attribute: a.name },
              variantCheck: variantOthers(`attr:${a.name}`),
            },
          ]
        : [],
    ),
  ];
  const include =
    selection.attributes === 'all'
      ? ('all' as const)
      : selection.attributes.filter((name) => !selectedAttributes.includes(name));
  const sharedFixed = selection.fixed.filter((f) => !selected.has(f));
  const sharedAttributes = include === 'all' || include.length > 0 ? { include } : undefined;
  return {
    filtersInQuery: browse || groups.length === 0,
    filters: groups,
    sharedFixed,
    sharedAttributes,
    selectedAttributes,
    own,
    sharedVariantCheck:
      variantOthers() &&
      (sharedAttributes !== undefined || sharedFixed.some((f) => VARIANT_FACETS.includes(f))),
  };
}

const terms = (field: string, size: number): Json => ({ terms: { field, size } });

/** Token regexes; names are [a-z][a-z0-9_]* (the write side's rule), so nothing needs escaping. */
const tokensOfNames = (names: readonly string[]): string => `(${names.join('|')})=.*`;

export function fixedFacetAgg(facet: FixedFacet): Json {
  switch (facet) {
    case 'brand':
      return terms('brand', FACET_SIZES.brand);
    case 'category':
      return terms('categoryId', FACET_SIZES.category);
    case 'price':
      return {
        range: {
          field: 'prices',
          ranges: PRICE_RANGES.map((r) => (r.to === null ? { from: r.from } : { ...r })),
        },
      };
    case 'inStock':
      return terms('inStock', 2);
  }
}

function sharedFacetAggs(plan: FacetPlan): Json {
  const out: Json = Object.fromEntries(plan.sharedFixed.map((f) => [f, fixedFacetAgg(f)]));
  if (plan.sharedAttributes !== undefined) {
    const { include } = plan.sharedAttributes;
    out['tokens'] = {
      terms: {
        field: 'tokens',
        size: FACET_SIZES.attributeTokens,
        ...(include === 'all' ? {} : { include: tokensOfNames(include) }),
        ...(include !== 'all' || plan.selectedAttributes.length === 0
          ? {}
          : { exclude: tokensOfNames(plan.selectedAttributes) }),
      },
    };
  }
  if (plan.sharedVariantCheck) out[OPTION_NAMES_AGG] = optionNamesAgg;
  return out;
}

function ownFacetAgg(group: OwnGroup): Json {
  const check = group.variantCheck ? { [OPTION_NAMES_AGG]: optionNamesAgg } : {};
  if (typeof group.facet === 'string') {
    return { [group.facet]: fixedFacetAgg(group.facet), ...check };
  }
  return {
    tokens: {
      terms: {
        field: 'tokens',
        size: FACET_SIZES.attributeValues,
        include: tokensOfNames([group.facet.attribute]),
      },
    },
    ...check,
  };
}

/** The `aggs` of the body for the plan (see the top of this file). */
export function facetAggregations(plan: FacetPlan): Json {
  const shared = sharedFacetAggs(plan);
  const ownGroups = Object.fromEntries(
    plan.own.map((group) => {
      const others = clausesBut(plan.filters, group.group);
      const aggs = ownFacetAgg(group);
      const wrapped = plan.filtersInQuery
        ? {
            global: {},
            aggs: { matching: { filter: { bool: { filter: [VISIBLE, ...others] } }, aggs } },
          }
        : { filter: { bool: { filter: others } }, aggs };
      return [group.agg, wrapped];
    }),
  );
  const sharedPart =
    plan.filtersInQuery || Object.keys(shared).length === 0
      ? shared
      : { shared: { filter: { bool: { filter: clausesBut(plan.filters) } }, aggs: shared } };
  return { ...sharedPart, ...ownGroups };
}

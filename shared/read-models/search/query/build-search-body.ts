import { assertNever } from '../../../assert-never.js';
import type { SortValue } from './cursor.js';
import {
  ALL_FACETS,
  facetAggregations,
  facetPlan,
  type FacetPlan,
  type FacetSelection,
} from './facets.js';
import { VISIBLE, clausesBut, type BodyFilters, type Json } from './filters.js';
import type { SearchSort } from './params.js';
import { textQuery, unitMatchesAgg } from './relevance.js';
import type { QueryUnit } from './synonyms.js';

export type { BodyFilters, Json } from './filters.js';
export { FACET_SIZES, PRICE_RANGES } from './facets.js';

/**
 * The one search request body of GET /v1/search, built by a pure function from validated
 * parameters. Both adapters send it as is, so it uses only DSL that Elasticsearch 8/9 and
 * OpenSearch 2/3 both accept: bool, multi_match, constant_score, term(s), range, filter(s),
 * global, terms and range aggregations, post_filter, search_after and highlight.
 */
export interface SearchBodyInput {
  /** The query as units (synonyms.ts); none means browse (match_all). */
  readonly units: readonly QueryUnit[];
  /** Indices of the units also matched with typo tolerance (relevance.ts: the fallback). */
  readonly fuzzyUnits?: readonly number[];
  /** Count the products each unit matches (the exact query's, to decide on the fallback). */
  readonly countUnits?: boolean;
  /** Categories named by the query (category-signal.ts), boosted. */
  readonly signalCategories: readonly string[];
  /** The query as typed when it could be a SKU (skuQuery): that product or variant matches. */
  readonly sku?: string;
  readonly filters: BodyFilters;
  /** The facets to compute (default: all). */
  readonly facets?: FacetSelection;
  readonly sort: SearchSort;
  readonly size: number;
  /** Page mode: the offset. Cursor mode: the search_after values. Exactly one is given. */
  readonly from?: number;
  readonly searchAfter?: readonly SortValue[];
  /**
   * Products pinned by query rules (merchandising): they belong to the matches (total, facets)
   * when they pass the filters, text or not, and the hits leave them out (the page puts them
   * first, pinning.ts).
   */
  readonly pinned?: readonly string[];
  /** Products hidden by query rules: never a match, so never a hit, a count or a total. */
  readonly hidden?: readonly string[];
}

/**
 * What a body asks for: everything, only the hits (with the total and the unit counts), or only
 * the facets (size 0, which the engine's request cache may keep).
 */
export type SearchPart = 'all' | 'hits' | 'facets';

/** Fields read from each hit's _source. */
export const SOURCE_FIELDS = [
  'id',
  'sku',
  'name',
  'brand',
  'priceMinor',
  'currency',
  'inStock',
  'categoryId',
  'image',
  'priceRange',
  'variantCount',
  'optionNames',
  'variants',
] as const;

export const HIGHLIGHT_TAGS = { pre: '<em>', post: '</em>' } as const;

/** The sort of each option; each ends with the id, unique, so every order is total and stable. */
export function sortClauses(sort: SearchSort): Json[] {
  const byId = { id: 'asc' };
  switch (sort) {
    case 'relevance':
      return [{ _score: 'desc' }, byId];
    case 'price_asc':
      return [{ priceMinor: { order: 'asc', missing: '_last' } }, byId];
    case 'price_desc':
      return [{ priceMinor: { order: 'desc', missing: '_last' } }, byId];
    case 'newest':
      return [{ createdAt: 'desc' }, byId];
    default:
      return assertNever(sort, 'sort');
  }
}

/** How the facets of this search are computed (facets.ts); the response is mapped with it. */
export const searchFacetPlan = (input: SearchBodyInput): FacetPlan =>
  facetPlan(input.filters, input.facets ?? ALL_FACETS, input.units.length === 0);

function query(input: SearchBodyInput, plan: FacetPlan): Json {
  return searchQuery(input, [VISIBLE, ...(plan.filtersInQuery ? clausesBut(plan.filters) : [])]);
}

/** The query of a search (the text, or browse) with `filter` as its filter clauses. */
export function searchQuery(input: SearchBodyInput, filter: readonly Json[]): Json {
  const core =
    input.units.length === 0
      ? { bool: { filter: [...filter], must: [{ match_all: {} }] } }
      : textQuery(input, filter);
  return withRules(core, input, filter);
}

const ids = (values: readonly string[]): Json => ({ ids: { values: [...values] } });

/**
 * The query with the rules' products: pinned ones that pass `filter` match whatever the text
 * (scoreless: their place is decided by the page, not by relevance); hidden ones never match.
 */
function withRules(core: Json, input: SearchBodyInput, filter: readonly Json[]): Json {
  const pinned = input.pinned ?? [];
  const hidden = input.hidden ?? [];
  if (pinned.length === 0 && hidden.length === 0) return core;
  const pinnedMatch = {
    constant_score: { filter: { bool: { filter: [...filter, ids(pinned)] } }, boost: 0 },
  };
  return {
    bool: {
      should: pinned.length === 0 || input.units.length === 0 ? [core] : [core, pinnedMatch],
      minimum_should_match: 1,
      ...(hidden.length === 0 ? {} : { must_not: [ids(hidden)] }),
    },
  };
}

/** What keeps hits out of the page: the filters of a selection, and pinned products. */
function postFilter(input: SearchBodyInput, plan: FacetPlan): Json {
  const pinned = input.pinned ?? [];
  const filter = plan.filtersInQuery ? [] : clausesBut(plan.filters);
  if (filter.length === 0 && pinned.length === 0) return {};
  return {
    post_filter: {
      bool: { filter, ...(pinned.length === 0 ? {} : { must_not: [ids(pinned)] }) },
    },
  };
}

/** The unit counts, among the products the filters let through (wherever the filters sit). */
function unitMatches(input: SearchBodyInput, plan: FacetPlan): Json {
  if (input.countUnits !== true || input.units.length < 2) return {};
  const counts = unitMatchesAgg(input);
  return {
    unit_matches: plan.filtersInQuery
      ? counts
      : { filter: { bool: { filter: clausesBut(plan.filters) } }, aggs: { units: counts } },
  };
}

const HIGHLIGHT = {
  pre_tags: [HIGHLIGHT_TAGS.pre],
  post_tags: [HIGHLIGHT_TAGS.post],
  encoder: 'html',
  require_field_match: false,
  fields: {
    name: { number_of_fragments: 0 },
    description: { fragment_size: 160, number_of_fragments: 1 },
  },
} as const;

/**
 * The body. One more hit than `size` is asked for: its presence says whether a next page exists,
 * which is what nextCursor needs in cursor mode, where the offset is unknown.
 */
export function buildSearchBody(input: SearchBodyInput, part: SearchPart = 'all'): Json {
  const plan = searchFacetPlan(input);
  const q = query(input, plan);
  const facets = part === 'hits' ? {} : facetAggregations(plan);
  if (part === 'facets') {
    return { size: 0, track_total_hits: false, query: q, ...nonEmpty('aggs', facets) };
  }
  const aggs = { ...facets, ...unitMatches(input, plan) };
  return {
    track_total_hits: true,
    size: input.size + 1,
    ...(input.searchAfter === undefined
      ? { from: input.from ?? 0 }
      : { search_after: [...input.searchAfter] }),
    _source: [...SOURCE_FIELDS],
    query: q,
    ...postFilter(input, plan),
    sort: sortClauses(input.sort),
    ...nonEmpty('aggs', aggs),
    ...(input.units.length === 0 ? {} : { highlight: HIGHLIGHT }),
  };
}

const nonEmpty = (key: string, value: Json): Json =>
  Object.keys(value).length === 0 ? {} : { [key]: value };

/**
 * The products each unit matched, from a body built with countUnits (undefined when it was not
 * counted: a single unit, whose count is the total).
 */
export function unitCounts(
  aggregations: Record<string, unknown> | undefined,
): number[] | undefined {
  const node = aggregations?.['unit_matches'] as
    | { buckets?: { doc_count?: number }[]; units?: { buckets?: { doc_count?: number }[] } }
    | undefined;
  const buckets = node?.units?.buckets ?? node?.buckets;
  return buckets?.map((b) => b.doc_count ?? 0);
}

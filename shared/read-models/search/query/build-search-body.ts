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

export type { BodyFilters, Json } from './filters.js';
export { FACET_SIZES, PRICE_RANGES } from './facets.js';

/**
 * The one search request body of GET /v1/search, built by a pure function from validated
 * parameters. Both adapters send it as is, so it uses only DSL that Elasticsearch 8/9 and
 * OpenSearch 2/3 both accept: bool, multi_match, term(s), range, filter and terms
 * aggregations, post_filter, search_after and highlight.
 */

export interface SearchBodyInput {
  /** The searched words joined by spaces; empty means browse (match_all). */
  readonly text: string;
  /**
   * Fuzzy matching of the words (default true). Off only for the reduced retry of a query the
   * engine found too large (routes.ts).
   */
  readonly typoTolerance?: boolean;
  /** Synonym alternatives of `text` (synonyms.ts). */
  readonly alternatives: readonly string[];
  /** Categories named by the query (category-signal.ts), boosted. */
  readonly signalCategories: readonly string[];
  readonly filters: BodyFilters;
  /** The facets to compute (default: all). */
  readonly facets?: FacetSelection;
  readonly sort: SearchSort;
  readonly size: number;
  /** Page mode: the offset. Cursor mode: the search_after values. Exactly one is given. */
  readonly from?: number;
  readonly searchAfter?: readonly SortValue[];
}

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
] as const;

/**
 * Relevance weights. The name dominates (stemmed, and its unstemmed .exact twin, which also
 * carries typo tolerance for words the stemmer mangles, e.g. "runnning"), then the brand and the
 * category signal, then the description and the attribute values. A phrase match on the exact
 * name adds a large bonus so that the product whose name is the query comes first. Synonym
 * alternatives score a little below the words the client typed.
 */
export const BOOSTS = {
  name: 5,
  nameExact: 3,
  namePhrase: 10,
  brand: 3,
  category: 2,
  description: 1,
  attributes: 1,
  synonym: 0.8,
} as const;

const TEXT_FIELDS = [
  `name^${BOOSTS.name}`,
  `name.exact^${BOOSTS.nameExact}`,
  `brand.text^${BOOSTS.brand}`,
  `description^${BOOSTS.description}`,
];

/** Typo tolerance on every analyzed field; max_expansions bounds the clause count. */
const FUZZY = { fuzziness: 'AUTO', prefix_length: 1, max_expansions: 10 } as const;

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
      return assertNever(sort);
  }
}

function assertNever(value: never): never {
  throw new Error(`unexpected sort ${String(value)}`);
}

function textClauses(text: string, fuzzy: boolean, boost?: number): Json[] {
  const tolerance = fuzzy ? FUZZY : {};
  const weight = boost === undefined ? {} : { boost };
  return [
    {
      multi_match: {
        query: text,
        type: 'best_fields',
        fields: TEXT_FIELDS,
        tie_breaker: 0.3,
        ...tolerance,
        ...weight,
      },
    },
    {
      match: {
        attributeText: { query: text, ...tolerance, boost: BOOSTS.attributes * (boost ?? 1) },
      },
    },
  ];
}

function query(input: SearchBodyInput, plan: FacetPlan): Json {
  const filter = [VISIBLE, ...(plan.filtersInQuery ? clausesBut(plan.filters) : [])];
  if (input.text === '') return { bool: { filter, must: [{ match_all: {} }] } };
  const should: Json[] = [
    ...textClauses(input.text, input.typoTolerance ?? true),
    {
      multi_match: {
        query: input.text,
        type: 'phrase',
        fields: ['name.exact'],
        boost: BOOSTS.namePhrase,
      },
    },
    ...input.alternatives.flatMap((alternative) => textClauses(alternative, false, BOOSTS.synonym)),
  ];
  return {
    bool: {
      filter,
      must: [{ bool: { should, minimum_should_match: 1 } }],
      ...(input.signalCategories.length === 0
        ? {}
        : { should: [{ terms: { categoryId: input.signalCategories, boost: BOOSTS.category } }] }),
    },
  };
}

/** How the facets of this search are computed (facets.ts); the response is mapped with it. */
export const searchFacetPlan = (input: SearchBodyInput): FacetPlan =>
  facetPlan(input.filters, input.facets ?? ALL_FACETS, input.text === '');

/**
 * The body. One more hit than `size` is asked for: its presence says whether a next page exists,
 * which is what nextCursor needs in cursor mode, where the offset is unknown.
 */
export function buildSearchBody(input: SearchBodyInput): Json {
  const plan = searchFacetPlan(input);
  const aggs = facetAggregations(plan);
  return {
    track_total_hits: true,
    size: input.size + 1,
    ...(input.searchAfter === undefined
      ? { from: input.from ?? 0 }
      : { search_after: [...input.searchAfter] }),
    _source: [...SOURCE_FIELDS],
    query: query(input, plan),
    ...(plan.filtersInQuery ? {} : { post_filter: { bool: { filter: clausesBut(plan.filters) } } }),
    sort: sortClauses(input.sort),
    ...(Object.keys(aggs).length === 0 ? {} : { aggs }),
    ...(input.text === ''
      ? {}
      : {
          highlight: {
            pre_tags: [HIGHLIGHT_TAGS.pre],
            post_tags: [HIGHLIGHT_TAGS.post],
            encoder: 'html',
            require_field_match: false,
            fields: {
              name: { number_of_fragments: 0 },
              description: { fragment_size: 160, number_of_fragments: 1 },
            },
          },
        }),
  };
}

import { facetToken, rangeToken } from '../document.js';
import type { SortValue } from './cursor.js';
import type { AttributeFilter, SearchSort } from './params.js';

/**
 * The one search request body of GET /v1/search, built by a pure function from validated
 * parameters. Both adapters send it as is, so it uses only DSL that Elasticsearch 8/9 and
 * OpenSearch 2/3 both accept: bool, multi_match, term(s), range, filter and terms
 * aggregations, post_filter, search_after and highlight.
 */
export type Json = Record<string, unknown>;

/** Filters as the body needs them: the category already resolved to itself and descendants. */
export interface BodyFilters {
  /** Present when a category was asked for; empty when it is unknown (finds nothing). */
  readonly categoryIds?: readonly string[];
  readonly brands: readonly string[];
  readonly priceMin?: number;
  readonly priceMax?: number;
  readonly inStock: boolean;
  readonly attributes: readonly AttributeFilter[];
}

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
  /** Tokens (name=value) the one attribute aggregation returns, before grouping by name. */
  attributeTokens: 1000,
} as const;

export const HIGHLIGHT_TAGS = { pre: '<em>', post: '</em>' } as const;

const VISIBLE = { term: { visible: true } } as const;

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

/** The agg name of the facet of the i-th selected attribute (names are client data). */
export const attributeAggName = (index: number): string => `attr_${index}`;

type FilterKey = 'category' | 'brand' | 'price' | 'inStock' | `attr:${string}`;

interface KeyedFilter {
  readonly key: FilterKey;
  readonly clause: Json;
}

/**
 * Any of the values (terms on the flat `name=value` tokens) and, when bounded, the number in
 * range (a keyword range over the order-preserving `rangeTokens`; see document.ts).
 */
export function attributeClause(filter: AttributeFilter): Json {
  const clauses: Json[] = [];
  if (filter.values.length > 0) {
    clauses.push({ terms: { tokens: filter.values.map((v) => facetToken(filter.name, v)) } });
  }
  if (filter.min !== undefined || filter.max !== undefined) {
    const gte = rangeToken(filter.name, filter.min ?? -Infinity);
    const lte = rangeToken(filter.name, filter.max ?? Infinity);
    clauses.push({ range: { rangeTokens: { gte, lte } } });
  }
  return clauses.length === 1 && clauses[0] !== undefined
    ? clauses[0]
    : { bool: { filter: clauses } };
}

function keyedFilters(f: BodyFilters): KeyedFilter[] {
  const out: KeyedFilter[] = [];
  if (f.categoryIds !== undefined) {
    out.push({ key: 'category', clause: { terms: { categoryId: f.categoryIds } } });
  }
  if (f.brands.length > 0) out.push({ key: 'brand', clause: { terms: { brand: f.brands } } });
  if (f.priceMin !== undefined || f.priceMax !== undefined) {
    const range = {
      ...(f.priceMin === undefined ? {} : { gte: f.priceMin }),
      ...(f.priceMax === undefined ? {} : { lte: f.priceMax }),
    };
    out.push({ key: 'price', clause: { range: { priceMinor: range } } });
  }
  if (f.inStock) out.push({ key: 'inStock', clause: { term: { inStock: true } } });
  for (const attribute of f.attributes) {
    out.push({ key: `attr:${attribute.name}`, clause: attributeClause(attribute) });
  }
  return out;
}

const allBut = (filters: readonly KeyedFilter[], key?: FilterKey): Json => ({
  bool: { filter: filters.filter((f) => f.key !== key).map((f) => f.clause) },
});

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

function query(input: SearchBodyInput): Json {
  if (input.text === '') return { bool: { filter: [VISIBLE], must: [{ match_all: {} }] } };
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
      filter: [VISIBLE],
      must: [{ bool: { should, minimum_should_match: 1 } }],
      ...(input.signalCategories.length === 0
        ? {}
        : { should: [{ terms: { categoryId: input.signalCategories, boost: BOOSTS.category } }] }),
    },
  };
}

const valueCounts = (field: string, size: number): Json => ({ terms: { field, size } });

/**
 * Disjunctive facets: the filters go to post_filter (they narrow the hits, not the aggregations)
 * and each facet is a filter aggregation with every filter except its own, so a selected brand
 * still shows the other brands with the counts they would have. Attribute facets of unselected
 * names come from one terms aggregation over the `name=value` tokens, seeing every filter; each
 * selected attribute name gets its own, restricted to its tokens, without its filter.
 */
function aggregations(filters: BodyFilters, keyed: readonly KeyedFilter[]): Json {
  return {
    brand: {
      filter: allBut(keyed, 'brand'),
      aggs: { values: valueCounts('brand', FACET_SIZES.brand) },
    },
    category: {
      filter: allBut(keyed, 'category'),
      aggs: { values: valueCounts('categoryId', FACET_SIZES.category) },
    },
    price: {
      filter: allBut(keyed, 'price'),
      aggs: {
        ranges: {
          range: {
            field: 'priceMinor',
            ranges: PRICE_RANGES.map((r) => (r.to === null ? { from: r.from } : { ...r })),
          },
        },
      },
    },
    inStock: {
      filter: allBut(keyed, 'inStock'),
      aggs: { values: valueCounts('inStock', 2) },
    },
    attributes: {
      filter: allBut(keyed),
      aggs: { tokens: valueCounts('tokens', FACET_SIZES.attributeTokens) },
    },
    ...Object.fromEntries(
      filters.attributes.map((attribute, index) => [
        attributeAggName(index),
        {
          filter: allBut(keyed, `attr:${attribute.name}`),
          aggs: { tokens: tokensOf([attribute.name], FACET_SIZES.attributeValues) },
        },
      ]),
    ),
  };
}

/** The tokens of the given attribute names only (names are [a-z0-9_], no regex escaping). */
export const tokensOf = (names: readonly string[], size: number): Json => ({
  terms: { field: 'tokens', size, include: `(${names.join('|')})=.*` },
});

/**
 * The body. One more hit than `size` is asked for: its presence says whether a next page exists,
 * which is what nextCursor needs in cursor mode, where the offset is unknown.
 */
export function buildSearchBody(input: SearchBodyInput): Json {
  const keyed = keyedFilters(input.filters);
  return {
    track_total_hits: true,
    size: input.size + 1,
    ...(input.searchAfter === undefined
      ? { from: input.from ?? 0 }
      : { search_after: [...input.searchAfter] }),
    _source: [...SOURCE_FIELDS],
    query: query(input),
    ...(keyed.length === 0 ? {} : { post_filter: allBut(keyed) }),
    sort: sortClauses(input.sort),
    aggs: aggregations(input.filters, keyed),
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

import type { Json } from './filters.js';
import { unitWordCount, type QueryUnit } from './synonyms.js';

/**
 * The text part of a search. The query is a list of units (synonyms.ts): words, and phrases
 * that have synonyms, each matched whole.
 *
 * - A product matches when any unit matches (exactly or stemmed; a unit's synonyms count as the
 *   unit). Phrases match as phrases, so "hooded sweatshirt" never matches every hooded product.
 * - A product matching every unit gets a constant bonus larger than any partial match can score,
 *   so "red running shoes" ranks every red running shoe above a red shirt. Within each tier BM25
 *   orders as usual: the name weighs most, then the brand, then description and attribute values;
 *   the whole query as a phrase in the unstemmed name adds a bonus (the product named like the
 *   query first), and so does a category the query names.
 * - Typo tolerance is a fallback, not a cost every query pays: the exact query runs first and
 *   counts the products each unit matches; only when the query finds fewer than
 *   TYPO_FALLBACK.minResults products, or a word matches nothing, is it run again with fuzzy
 *   matching (AUTO:4,8, first letter fixed, name and brand only) for those words (all words in the
 *   first case).
 */
export const BOOSTS = {
  name: 5,
  brand: 3,
  description: 1,
  attributes: 1,
  namePhrase: 10,
  category: 2,
  synonym: 0.8,
  fuzzy: 0.5,
  /** Added to every product that matches all units; above any partial match's score. */
  allUnits: 1000,
  /** A product whose SKU (its own or a variant's) is the query: above every text match. */
  sku: 2000,
} as const;

/** The fields of the exact (and stemmed) match. */
export const EXACT_FIELDS = [
  `name^${BOOSTS.name}`,
  `brand.text^${BOOSTS.brand}`,
  `description^${BOOSTS.description}`,
  `attributeText^${BOOSTS.attributes}`,
];

/**
 * Typo tolerance: the unstemmed name (a mistyped word is compared with the words as written; the
 * stemmer would have mangled both) and the brand. max_expansions bounds the clause count.
 */
export const FUZZY_FIELDS = ['name.exact', 'brand.text'];
export const FUZZY = { fuzziness: 'AUTO:4,8', prefix_length: 1, max_expansions: 10 } as const;

export const TYPO_FALLBACK = {
  /** Fewer exact results than this: every word of at least minWordChars is retried fuzzy. */
  minResults: 3,
  /** Shorter words are never fuzzy (AUTO:4,8 allows no edit below 4 characters). */
  minWordChars: 4,
} as const;

export interface TextInput {
  readonly units: readonly QueryUnit[];
  /** Indices of the units matched with typo tolerance too (the fallback). */
  readonly fuzzyUnits?: readonly number[];
  /** Categories named by the query (category-signal.ts), boosted. */
  readonly signalCategories: readonly string[];
  /** The query as typed when it could be a SKU: a product or variant with that SKU matches. */
  readonly sku?: string;
}

function matchText(text: string, boost?: number): Json {
  const kind =
    unitWordCount(text) > 1 ? { type: 'phrase' } : { type: 'best_fields', tie_breaker: 0.3 };
  return {
    multi_match: {
      query: text,
      ...kind,
      fields: EXACT_FIELDS,
      ...(boost === undefined ? {} : { boost }),
    },
  };
}

/** A single word long enough for an edit (a phrase unit is never fuzzy). */
export const fuzzyEligible = (unit: QueryUnit): boolean =>
  unitWordCount(unit.text) === 1 && Array.from(unit.text).length >= TYPO_FALLBACK.minWordChars;

/** What makes a unit match: its text, its synonyms, and in the fallback its fuzzy text. */
export function unitClause(unit: QueryUnit, fuzzy: boolean): Json {
  const should = [
    matchText(unit.text),
    ...unit.alternatives.map((alternative) => matchText(alternative, BOOSTS.synonym)),
    ...(fuzzy
      ? [{ multi_match: { query: unit.text, fields: FUZZY_FIELDS, ...FUZZY, boost: BOOSTS.fuzzy } }]
      : []),
  ];
  return should.length === 1 && should[0] !== undefined
    ? should[0]
    : { bool: { should, minimum_should_match: 1 } };
}

const unitClauses = (input: TextInput): Json[] =>
  input.units.map((unit, i) => unitClause(unit, input.fuzzyUnits?.includes(i) ?? false));

/** The query of a text search, `filter` being visibility and the filters that sit in it. */
export function textQuery(input: TextInput, filter: readonly Json[]): Json {
  const clauses = unitClauses(input);
  const anyUnit =
    clauses.length === 1 && clauses[0] !== undefined
      ? clauses[0]
      : { bool: { should: clauses, minimum_should_match: 1 } };
  const text = input.units.map((u) => u.text).join(' ');
  const sku =
    input.sku === undefined
      ? undefined
      : { constant_score: { filter: { term: { skus: input.sku } }, boost: BOOSTS.sku } };
  return {
    bool: {
      filter: [...filter],
      must: [
        sku === undefined ? anyUnit : { bool: { should: [anyUnit, sku], minimum_should_match: 1 } },
      ],
      should: [
        ...(clauses.length > 1
          ? [{ constant_score: { filter: { bool: { filter: clauses } }, boost: BOOSTS.allUnits } }]
          : []),
        {
          multi_match: {
            query: text,
            type: 'phrase',
            fields: ['name.exact'],
            boost: BOOSTS.namePhrase,
          },
        },
        ...(input.signalCategories.length === 0
          ? []
          : [{ terms: { categoryId: input.signalCategories, boost: BOOSTS.category } }]),
      ],
    },
  };
}

/** Products matching each unit (among those the filters let through): a filters aggregation. */
export const unitMatchesAgg = (input: TextInput): Json => ({
  filters: { filters: unitClauses(input) },
});

/**
 * The units to retry with typo tolerance, given the exact query's total and its products per
 * unit (absent for a single unit: the total is its count). Empty: no fallback.
 */
export function typoFallbackUnits(
  units: readonly QueryUnit[],
  total: number,
  perUnit: readonly number[] | undefined,
): number[] {
  const eligible = units.flatMap((unit, i) => (fuzzyEligible(unit) ? [i] : []));
  if (total < TYPO_FALLBACK.minResults) return eligible;
  const counts = perUnit ?? (units.length === 1 ? [total] : []);
  return eligible.filter((i) => counts[i] === 0);
}

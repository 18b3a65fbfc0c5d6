/**
 * GET /v1/search parameters of the CRUD baseline: the same names and meanings as Aisle's
 * storefront search (shared/API.md), validated by the same Fastify/Ajv set-up, and put in a
 * canonical form the SQL builder consumes. Written against the contract, not Aisle's code, so
 * the baseline stays an independent implementation of it.
 */
import { Problem } from '../../shared/http/problems.js';

export const baselineSorts = ['relevance', 'price_asc', 'price_desc', 'newest'] as const;
export type BaselineSort = (typeof baselineSorts)[number];

export const baselineLimits = {
  sizeDefault: 20,
  sizeMax: 100,
  /** page * size may not exceed this (offset paging only). */
  depth: 10_000,
  /** Characters of q looked at, words searched, characters kept per word. */
  maxChars: 512,
  maxWords: 10,
  maxWordChars: 32,
} as const;

const values = {
  type: 'array',
  minItems: 1,
  maxItems: 50,
  items: { type: 'string', minLength: 1, maxLength: 200 },
} as const;
const amount = { type: 'integer', minimum: 0, maximum: 1_000_000_000_000 } as const;

export const baselineQuerystring = {
  type: 'object',
  additionalProperties: false,
  maxProperties: 40,
  properties: {
    q: { type: 'string', maxLength: 16_384 },
    category: { type: 'string', minLength: 1, maxLength: 100 },
    brand: values,
    price_min: amount,
    price_max: amount,
    in_stock: { type: 'boolean' },
    sort: { type: 'string', enum: baselineSorts },
    size: {
      type: 'integer',
      minimum: 1,
      maximum: baselineLimits.sizeMax,
      default: baselineLimits.sizeDefault,
    },
    page: { type: 'integer', minimum: 1 },
    cursor: { type: 'string', minLength: 1, maxLength: 64 },
  },
  patternProperties: { '^attr\\.[a-z][a-z0-9_]{0,63}$': values },
} as const;

export interface BaselineQuerystring {
  readonly q?: string;
  readonly category?: string;
  readonly brand?: readonly string[];
  readonly price_min?: number;
  readonly price_max?: number;
  readonly in_stock?: boolean;
  readonly sort?: BaselineSort;
  readonly size?: number;
  readonly page?: number;
  readonly cursor?: string;
  readonly [attribute: `attr.${string}`]: readonly string[] | undefined;
}

export interface AttributeFilter {
  readonly name: string;
  readonly values: readonly string[];
}

/** A search in canonical form: lists deduplicated and sorted, attributes sorted by name. */
export interface BaselineRequest {
  readonly words: readonly string[];
  readonly category?: string;
  readonly brands: readonly string[];
  readonly priceMin?: number;
  readonly priceMax?: number;
  readonly inStock: boolean;
  readonly attributes: readonly AttributeFilter[];
  readonly sort: BaselineSort;
  readonly size: number;
  readonly page: number;
}

const WORD = /[\p{L}\p{N}\p{M}]+(?:['’.][\p{L}\p{N}\p{M}]+)*/gu;

/** The words searched: letters, digits and marks; everything else separates words. */
export function baselineWords(q: string): string[] {
  const head = Array.from(q.normalize('NFC')).slice(0, baselineLimits.maxChars).join('');
  return (head.match(WORD) ?? [])
    .slice(0, baselineLimits.maxWords)
    .map((w) => Array.from(w).slice(0, baselineLimits.maxWordChars).join(''));
}

/** nextCursor of the baseline: the next page number, opaque to clients. */
export const encodePageCursor = (page: number): string =>
  Buffer.from(`p${page}`, 'utf8').toString('base64url');

function decodePageCursor(cursor: string): number {
  const match = /^p(\d{1,6})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (match?.[1] === undefined) throw invalid('cursor', 'is not a cursor this service issued');
  return Number(match[1]);
}

function invalid(field: string, message: string): Problem {
  return new Problem('validation_failed', `querystring.${field} ${message}`, [
    { field: `querystring.${field}`, message },
  ]);
}

const canonical = (list: readonly string[]): string[] => [...new Set(list)].sort();

export function parseBaselineRequest(query: BaselineQuerystring): BaselineRequest {
  const words = baselineWords((query.q ?? '').trim());
  const size = query.size ?? baselineLimits.sizeDefault;
  if (
    query.price_min !== undefined &&
    query.price_max !== undefined &&
    query.price_min > query.price_max
  ) {
    throw invalid('price_min', 'must not be greater than price_max');
  }
  if (query.cursor !== undefined && query.page !== undefined) {
    throw invalid('page', 'cannot be combined with cursor');
  }
  const page = query.cursor === undefined ? (query.page ?? 1) : decodePageCursor(query.cursor);
  if (page * size > baselineLimits.depth) {
    throw invalid('page', `goes deeper than ${baselineLimits.depth} results (page * size)`);
  }
  const attributes = Object.entries(query)
    .filter(([key]) => key.startsWith('attr.'))
    .map(([key, list]) => ({
      name: key.slice('attr.'.length),
      values: canonical(list as readonly string[]),
    }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return {
    words,
    ...(query.category === undefined ? {} : { category: query.category }),
    brands: canonical(query.brand ?? []),
    ...(query.price_min === undefined ? {} : { priceMin: query.price_min }),
    ...(query.price_max === undefined ? {} : { priceMax: query.price_max }),
    inStock: query.in_stock === true,
    attributes,
    sort: query.sort ?? (words.length === 0 ? 'newest' : 'relevance'),
    size,
    page,
  };
}

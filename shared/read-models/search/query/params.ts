import { Problem } from '../../../http/problems.js';
import { FIXED_FACETS, type FacetSelection, type FixedFacet } from './facets.js';
import type { AttributeFilter } from './filters.js';
import { queryWords } from './text.js';
import {
  VARIANT_CONDITION_LIMITS,
  variantClauseCost,
  withProbeOption,
  type VariantCondition,
} from './variant-filter.js';

export const searchSorts = ['relevance', 'price_asc', 'price_desc', 'newest'] as const;
export type SearchSort = (typeof searchSorts)[number];

/** The documented limits of GET /v1/search. */
export const searchLimits = {
  sizeDefault: 20,
  sizeMax: 100,
  /** page * size may not exceed this; deeper results are reached with `cursor`. */
  pageDepth: 1000,
  /** Longest `q` accepted; only the first 512 characters and 10 words are searched (text.ts). */
  // Percent-encoded, 4,096 characters of any script fit in the 64 KiB request-head limit
  // (shared/http/server.ts): the published maximum is reachable.
  qMaxLength: 4_096,
  brandsMax: 50,
  attributeFiltersMax: 20,
  valuesPerAttributeMax: 20,
  valueMaxLength: 200,
  cursorMaxLength: 1024,
  amountMinorMax: 1_000_000_000_000,
} as const;

/** `attr.<name>`, with the attribute-name rule of the write side. */
export const ATTRIBUTE_PARAM = '^attr\\.[a-z][a-z0-9_]{0,63}$';
/** `attr.<name>.min` / `attr.<name>.max`: a range over a number attribute, bounds included. */
export const ATTRIBUTE_RANGE_PARAM = '^attr\\.[a-z][a-z0-9_]{0,63}\\.(min|max)$';

const values = (maxItems: number, maxLength: number) =>
  ({
    type: 'array',
    minItems: 1,
    maxItems,
    items: { type: 'string', minLength: 1, maxLength },
  }) as const;

const price = {
  type: 'integer',
  minimum: 0,
  maximum: searchLimits.amountMinorMax,
  description: 'minor units',
} as const;

export const searchQuerystring = {
  type: 'object',
  additionalProperties: false,
  maxProperties: 40,
  properties: {
    q: {
      type: 'string',
      maxLength: searchLimits.qMaxLength,
      description: 'Search text; empty means browse. The first 512 characters / 10 words count.',
    },
    category: {
      type: 'string',
      minLength: 1,
      maxLength: 100,
      description: 'Category id; includes its descendants. An unknown id finds nothing.',
    },
    brand: {
      ...values(searchLimits.brandsMax, 100),
      description: 'Repeatable; any of them',
    },
    price_min: price,
    price_max: price,
    in_stock: { type: 'boolean', description: 'true: only products in stock' },
    sort: { type: 'string', enum: searchSorts },
    size: {
      type: 'integer',
      minimum: 1,
      maximum: searchLimits.sizeMax,
      default: searchLimits.sizeDefault,
    },
    page: {
      type: 'integer',
      minimum: 1,
      description: `1-based; page * size <= ${searchLimits.pageDepth}, deeper: use cursor`,
    },
    cursor: {
      type: 'string',
      minLength: 1,
      maxLength: searchLimits.cursorMaxLength,
      description: 'nextCursor of the previous page, with the same q, filters and sort',
    },
    facets: {
      type: 'string',
      minLength: 1,
      maxLength: 2000,
      description: [
        'Comma-separated facets to compute: brand, category, price, inStock, attributes (every',
        'attribute name) or attr.<name> (one); or none. Default: all. Others come back empty.',
      ].join(' '),
    },
    minVersion: {
      type: 'integer',
      minimum: 1,
      maximum: 1e15,
      description: 'With product: wait (bounded) until search holds this version of it',
    },
    product: { type: 'string', format: 'uuid', description: 'The product minVersion is about' },
  },
  patternProperties: {
    [ATTRIBUTE_PARAM]: values(searchLimits.valuesPerAttributeMax, searchLimits.valueMaxLength),
    [ATTRIBUTE_RANGE_PARAM]: {
      type: 'number',
      description: 'A bound (included) on a number attribute; products without it do not match',
    },
  },
} as const;

export const minVersionHeaders = {
  type: 'object',
  properties: {
    'x-aisle-min-version': { type: 'integer', minimum: 1, maximum: 1e15 },
  },
} as const;

/** The query string as the schema above leaves it (coerced, defaults applied). */
export interface SearchQuerystring {
  readonly q?: string;
  readonly category?: string;
  readonly brand?: readonly string[];
  readonly price_min?: number;
  readonly price_max?: number;
  readonly in_stock?: boolean;
  readonly sort?: SearchSort;
  readonly size?: number;
  readonly page?: number;
  readonly cursor?: string;
  readonly facets?: string;
  readonly minVersion?: number;
  readonly product?: string;
  readonly [attribute: `attr.${string}`]: readonly string[] | number | undefined;
}

export type { AttributeFilter } from './filters.js';

/** Filters in a canonical form: lists deduplicated and sorted, so equal searches look equal. */
export interface SearchFilters {
  readonly category?: string;
  readonly brands: readonly string[];
  readonly priceMin?: number;
  readonly priceMax?: number;
  readonly inStock: boolean;
  readonly attributes: readonly AttributeFilter[];
}

export interface SearchRequest {
  /** `q` as given, trimmed (what analytics records). */
  readonly q: string;
  /** The words searched; empty means browse. */
  readonly words: readonly string[];
  readonly filters: SearchFilters;
  readonly sort: SearchSort;
  readonly size: number;
  /** Either a page (1-based) or a cursor. */
  readonly position: { readonly page: number } | { readonly cursor: string };
  /** The facets to compute; absent: all of them. */
  readonly facets?: FacetSelection;
  readonly minVersion?: { readonly productId: string; readonly version: number };
}

export function invalidParam(field: string, message: string): Problem {
  return new Problem('validation_failed', `querystring.${field} ${message}`, [
    { field: `querystring.${field}`, message },
  ]);
}

const canonical = (list: readonly string[]): string[] => [...new Set(list)].sort();

const byName = (a: AttributeFilter, b: AttributeFilter): number =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : 0;

/** `attr.<name>` values and `attr.<name>.min/max` bounds, one filter per name, by name. */
function attributeFilters(query: SearchQuerystring): AttributeFilter[] {
  const named = new Map<string, { values: string[]; min?: number; max?: number }>();
  const entry = (name: string) => {
    const found = named.get(name) ?? { values: [] };
    named.set(name, found);
    return found;
  };
  for (const [key, value] of Object.entries(query)) {
    if (!key.startsWith('attr.') || value === undefined) continue;
    const [, name = '', bound] = key.split('.');
    if (bound === undefined) {
      entry(name).values = canonical(value as readonly string[]);
      continue;
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw invalidParam(key, 'must be a finite number');
    }
    entry(name)[bound === 'min' ? 'min' : 'max'] = value;
  }
  const out: AttributeFilter[] = [];
  for (const [name, f] of named) {
    if (f.min !== undefined && f.max !== undefined && f.min > f.max) {
      throw invalidParam(`attr.${name}.min`, `must not be greater than attr.${name}.max`);
    }
    out.push({
      name,
      values: f.values,
      ...(f.min === undefined ? {} : { min: f.min }),
      ...(f.max === undefined ? {} : { max: f.max }),
    });
  }
  return out.sort(byName);
}

const FACET_ITEM = /^(brand|category|price|inStock|attributes|none|attr\.[a-z][a-z0-9_]{0,63})$/;

/** `facets`: canonical (fixed facets in their order, attribute names sorted). */
export function parseFacets(raw: string): FacetSelection {
  const items = raw.split(',').map((item) => item.trim());
  const bad = items.find((item) => !FACET_ITEM.test(item));
  if (bad !== undefined) {
    throw invalidParam(
      'facets',
      `names an unknown facet "${bad.slice(0, 80)}" (brand, category, price, inStock, attributes, attr.<name>, or none)`,
    );
  }
  if (items.includes('none')) {
    if (items.length > 1) throw invalidParam('facets', 'none cannot be combined with facets');
    return { fixed: [], attributes: [] };
  }
  const fixed = FIXED_FACETS.filter((f: FixedFacet) => items.includes(f));
  if (items.includes('attributes')) return { fixed, attributes: 'all' };
  const names = items.filter((i) => i.startsWith('attr.')).map((i) => i.slice('attr.'.length));
  return { fixed, attributes: canonical(names) };
}

/**
 * Option filters, price and stock must hold on one variant (variant-filter.ts): every
 * combination of the asked values is a token or a range of its own, so a request asking for very
 * many combinations is refused rather than sent as a query the engine would refuse.
 */
function checkVariantCost(filters: SearchFilters): void {
  const condition: VariantCondition = {
    options: filters.attributes.filter((a) => a.values.length > 0),
    ...(filters.priceMin === undefined ? {} : { priceMin: filters.priceMin }),
    ...(filters.priceMax === undefined ? {} : { priceMax: filters.priceMax }),
    inStock: filters.inStock,
  };
  if (condition.options.length === 0) return;
  const cost = variantClauseCost(withProbeOption(condition));
  if (
    cost.clauses <= VARIANT_CONDITION_LIMITS.clauses &&
    cost.terms <= VARIANT_CONDITION_LIMITS.terms
  ) {
    return;
  }
  const first = condition.options[0]?.name ?? '';
  throw invalidParam(
    `attr.${first}`,
    'with the other attribute filters asks for too many value combinations on one variant; ask for fewer values or attribute names',
  );
}

/** Checks what the schema cannot say and puts the request in canonical form. */
export function parseSearchRequest(
  query: SearchQuerystring,
  headerMinVersion: number | undefined,
): SearchRequest {
  const q = (query.q ?? '').trim();
  const found = queryWords(q);
  const size = query.size ?? searchLimits.sizeDefault;

  if (
    query.price_min !== undefined &&
    query.price_max !== undefined &&
    query.price_min > query.price_max
  ) {
    throw invalidParam('price_min', 'must not be greater than price_max');
  }
  if (query.cursor !== undefined && query.page !== undefined) {
    throw invalidParam('page', 'cannot be combined with cursor');
  }
  const page = query.page ?? 1;
  if (query.cursor === undefined && page * size > searchLimits.pageDepth) {
    throw invalidParam(
      'page',
      `goes deeper than ${searchLimits.pageDepth} results (page * size); use cursor (nextCursor) to page further`,
    );
  }

  const attributes = attributeFilters(query);
  const filters: SearchFilters = {
    ...(query.category === undefined ? {} : { category: query.category }),
    brands: canonical(query.brand ?? []),
    ...(query.price_min === undefined ? {} : { priceMin: query.price_min }),
    ...(query.price_max === undefined ? {} : { priceMax: query.price_max }),
    inStock: query.in_stock === true,
    attributes,
  };

  checkVariantCost(filters);

  const version = query.minVersion ?? headerMinVersion;
  if (version !== undefined && query.product === undefined) {
    throw invalidParam('product', 'is required with minVersion (the product you changed)');
  }
  if (version === undefined && query.product !== undefined) {
    throw invalidParam('minVersion', 'is required with product');
  }

  return {
    q,
    words: found,
    filters,
    sort: query.sort ?? (found.length === 0 ? 'newest' : 'relevance'),
    size,
    position: query.cursor === undefined ? { page } : { cursor: query.cursor },
    ...(query.facets === undefined ? {} : { facets: parseFacets(query.facets) }),
    ...(version === undefined || query.product === undefined
      ? {}
      : { minVersion: { productId: query.product, version } }),
  };
}

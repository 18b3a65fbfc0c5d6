import type { SearchHit, SearchResponseBody } from '../../../stores/search/engine.js';
import { encodeCursor, type SortValue } from './cursor.js';
import { mapFacets, type SearchFacets } from './facet-counts.js';
import type { FacetPlan } from './facets.js';
import { matchedVariants, type VariantFilters } from './matched-variants.js';

export type { PriceBucket, SearchFacets, ValueCount } from './facet-counts.js';

export interface SearchItem {
  readonly id: string;
  readonly sku: string;
  readonly name: string;
  readonly brand: string | null;
  readonly price: { readonly amountMinor: number; readonly currency: string } | null;
  readonly inStock: boolean;
  readonly category: string | null;
  readonly image: string | null;
  readonly highlight: { readonly name?: string; readonly description?: string };
  readonly priceRange: {
    readonly min: number;
    readonly max: number;
    readonly currency: string;
  } | null;
  readonly variantCount: number;
  /** The ids of the variants that satisfy the filters (empty for a product without variants). */
  readonly matchedVariants: readonly string[];
}

export type { VariantFilters } from './matched-variants.js';

export interface SearchResult {
  readonly total: number;
  readonly items: SearchItem[];
  readonly facets: SearchFacets;
  /** Present (non-null) while more results exist. */
  readonly nextCursor: string | null;
}

const textOrNull = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const text = (value: unknown): string => (typeof value === 'string' ? value : '');

function priceRangeOf(value: unknown): SearchItem['priceRange'] {
  const r = value as { min?: unknown; max?: unknown; currency?: unknown } | null | undefined;
  return typeof r?.min === 'number' && typeof r.max === 'number' && typeof r.currency === 'string'
    ? { min: r.min, max: r.max, currency: r.currency }
    : null;
}

function item(hit: SearchHit, filters: VariantFilters): SearchItem {
  const s = hit._source ?? {};
  const amount = s['priceMinor'];
  const currency = s['currency'];
  const name = hit.highlight?.['name']?.[0];
  const description = hit.highlight?.['description']?.[0];
  return {
    id: typeof s['id'] === 'string' ? s['id'] : hit._id,
    sku: text(s['sku']),
    name: text(s['name']),
    brand: textOrNull(s['brand']),
    price:
      typeof amount === 'number' && typeof currency === 'string'
        ? { amountMinor: amount, currency }
        : null,
    inStock: s['inStock'] === true,
    category: textOrNull(s['categoryId']),
    image: textOrNull(s['image']),
    highlight: {
      ...(name === undefined ? {} : { name }),
      ...(description === undefined ? {} : { description }),
    },
    priceRange: priceRangeOf(s['priceRange']),
    variantCount: typeof s['variantCount'] === 'number' ? s['variantCount'] : 0,
    matchedVariants: matchedVariants(s['optionNames'], s['variants'], filters),
  };
}

export interface MapOptions {
  /** The page size asked for; the body asked for one hit more. */
  readonly size: number;
  /** How the body computed the facets (searchFacetPlan). */
  readonly facets: FacetPlan;
  /** searchKey of this search, put in nextCursor. */
  readonly key: string;
  /** The request's filters, for matchedVariants. */
  readonly filters: VariantFilters;
}

/** The hits part of a response: what a body built for the 'hits' part answers. */
export type SearchHits = Omit<SearchResult, 'facets'>;

/** Hits as response items. */
export const mapItems = (hits: readonly SearchHit[], filters: VariantFilters): SearchItem[] =>
  hits.map((hit) => item(hit, filters));

export function mapHits(
  raw: SearchResponseBody,
  options: Pick<MapOptions, 'size' | 'key' | 'filters'>,
): SearchHits {
  const hits = raw.hits.hits;
  const page = hits.slice(0, options.size);
  const last = page[page.length - 1];
  const more = hits.length > options.size && last?.sort !== undefined;
  const total = raw.hits.total;
  return {
    total: typeof total === 'number' ? total : total.value,
    items: mapItems(page, options.filters),
    nextCursor:
      more && last.sort !== undefined ? encodeCursor(options.key, last.sort as SortValue[]) : null,
  };
}

/** The engine's answer as the API's response. */
export function mapSearchResponse(raw: SearchResponseBody, options: MapOptions): SearchResult {
  const { total, items, nextCursor } = mapHits(raw, options);
  return { total, items, facets: mapFacets(raw.aggregations, options.facets), nextCursor };
}

const valueCount = (value: Record<string, unknown>) =>
  ({
    type: 'object',
    required: ['value', 'count'],
    properties: { value, count: { type: 'integer' } },
  }) as const;

const stringCounts = { type: 'array', items: valueCount({ type: 'string' }) } as const;

/** The 200 response of GET /v1/search; Fastify serializes with it (unknown fields dropped). */
export const searchResponseSchema = {
  type: 'object',
  required: ['total', 'items', 'facets', 'nextCursor'],
  properties: {
    appliedRules: {
      type: 'array',
      description:
        'The query rules (merchandising) applied to this search, most specific first; empty when none',
      items: {
        type: 'object',
        required: ['id', 'version'],
        properties: { id: { type: 'string' }, version: { type: 'integer' } },
      },
    },
    total: { type: 'integer', description: 'exact number of matching products' },
    items: {
      type: 'array',
      items: {
        type: 'object',
        required: [
          'id',
          'sku',
          'name',
          'brand',
          'price',
          'inStock',
          'category',
          'image',
          'highlight',
          'priceRange',
          'variantCount',
          'matchedVariants',
        ],
        properties: {
          id: { type: 'string' },
          sku: { type: 'string' },
          name: { type: 'string' },
          brand: { type: ['string', 'null'] },
          price: {
            type: ['object', 'null'],
            description: 'The lowest price (of a product with variants: its lowest variant price)',
            required: ['amountMinor', 'currency'],
            properties: {
              amountMinor: { type: 'integer', description: 'minor units' },
              currency: { type: 'string', description: 'ISO 4217' },
            },
          },
          inStock: { type: 'boolean' },
          category: { type: ['string', 'null'], description: 'category id' },
          image: { type: ['string', 'null'] },
          highlight: {
            type: 'object',
            description: 'Matched words wrapped in <em></em>; the text is HTML-escaped',
            properties: { name: { type: 'string' }, description: { type: 'string' } },
          },
          priceRange: {
            type: ['object', 'null'],
            description:
              'Lowest and highest price of the priced variants (of the product when it has none), minor units; null when nothing is priced',
            required: ['min', 'max', 'currency'],
            properties: {
              min: { type: 'integer' },
              max: { type: 'integer' },
              currency: { type: 'string' },
            },
          },
          variantCount: { type: 'integer', description: '0 for a product without variants' },
          matchedVariants: {
            type: 'array',
            items: { type: 'string' },
            description:
              'Ids of the variants that satisfy the option, price and in_stock filters (all of them without such filters); empty for a product without variants',
          },
        },
      },
    },
    facets: {
      type: 'object',
      required: ['brand', 'category', 'price', 'inStock', 'attributes'],
      description: [
        'Each facet counted with every other filter applied, not its own.',
        'A facet left out by the facets parameter is empty ([] or {}).',
      ].join(' '),
      properties: {
        brand: stringCounts,
        category: { ...stringCounts, description: 'product counts per category id' },
        price: {
          type: 'array',
          description: 'Fixed ranges in minor units: from inclusive, to exclusive (null: open)',
          items: {
            type: 'object',
            required: ['from', 'to', 'count'],
            properties: {
              from: { type: 'integer' },
              to: { type: ['integer', 'null'] },
              count: { type: 'integer' },
            },
          },
        },
        inStock: { type: 'array', items: valueCount({ type: 'boolean' }) },
        attributes: {
          type: 'object',
          description: 'Per attribute name, the value counts',
          additionalProperties: stringCounts,
        },
        truncated: {
          type: 'array',
          items: { type: 'string' },
          description: [
            'Present only when a facet was cut at its bucket limit (more values exist than',
            'listed): brand (50), category (100), attributes (more than 20 names), or',
            'attr.<name> (more than 30 values).',
          ].join(' '),
        },
      },
    },
    nextCursor: {
      type: ['string', 'null'],
      description: 'Pass as cursor for the next page; null when there is none',
    },
  },
} as const;

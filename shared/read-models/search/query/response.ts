import type { SearchHit, SearchResponseBody } from '../../../stores/search/engine.js';
import { splitFacetToken } from '../document.js';
import { FACET_SIZES, PRICE_RANGES, attributeAggName } from './build-search-body.js';
import { encodeCursor, type SortValue } from './cursor.js';
import type { AttributeFilter } from './params.js';

export interface ValueCount<V> {
  readonly value: V;
  readonly count: number;
}

export interface PriceBucket {
  readonly from: number;
  readonly to: number | null;
  readonly count: number;
}

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
}

export interface SearchFacets {
  readonly brand: ValueCount<string>[];
  readonly category: ValueCount<string>[];
  readonly price: PriceBucket[];
  readonly inStock: ValueCount<boolean>[];
  readonly attributes: Record<string, ValueCount<string>[]>;
}

export interface SearchResult {
  readonly total: number;
  readonly items: SearchItem[];
  readonly facets: SearchFacets;
  /** Present (non-null) while more results exist. */
  readonly nextCursor: string | null;
}

type Loose = Record<string, unknown>;

const record = (value: unknown): Loose =>
  typeof value === 'object' && value !== null ? (value as Loose) : {};
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const count = (value: unknown): number => (typeof value === 'number' ? value : 0);
const textOrNull = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/** The buckets at `path` below an aggregation result. */
function buckets(agg: unknown, ...path: string[]): Loose[] {
  const node = path.reduce<Loose>((at, key) => record(at[key]), record(agg));
  return list(node['buckets']).map(record);
}

const keyCounts = (agg: unknown, ...path: string[]): ValueCount<string>[] =>
  buckets(agg, ...path).map((b) => ({ value: String(b['key']), count: count(b['doc_count']) }));

/**
 * Token buckets (`name=value`, most frequent first) grouped by name: at most
 * FACET_SIZES.attributeValues values per name, and the FACET_SIZES.attributeNames names with the
 * most (product, value) pairs.
 */
export function attributeCounts(
  tokenBuckets: readonly Loose[],
): Record<string, ValueCount<string>[]> {
  const byName = new Map<string, { pairs: number; values: ValueCount<string>[] }>();
  for (const b of tokenBuckets) {
    const { name, value } = splitFacetToken(String(b['key']));
    const group = byName.get(name) ?? { pairs: 0, values: [] };
    byName.set(name, group);
    group.pairs += count(b['doc_count']);
    if (group.values.length < FACET_SIZES.attributeValues) {
      group.values.push({ value, count: count(b['doc_count']) });
    }
  }
  const names = [...byName]
    .sort(([a, x], [b, y]) => y.pairs - x.pairs || (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, FACET_SIZES.attributeNames);
  return Object.fromEntries(names.map(([name, group]) => [name, group.values]));
}

function item(hit: SearchHit): SearchItem {
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
  };
}

function facets(aggregations: unknown, selected: readonly AttributeFilter[]): SearchFacets {
  const aggs = record(aggregations);
  const attributes = attributeCounts(buckets(aggs['attributes'], 'tokens'));
  selected.forEach((attribute, index) => {
    const own = attributeCounts(buckets(aggs[attributeAggName(index)], 'tokens'));
    attributes[attribute.name] = own[attribute.name] ?? [];
  });
  const ranges = buckets(aggs['price'], 'ranges');
  return {
    brand: keyCounts(aggs['brand'], 'values'),
    category: keyCounts(aggs['category'], 'values'),
    price: PRICE_RANGES.map((range, i) => ({ ...range, count: count(ranges[i]?.['doc_count']) })),
    inStock: buckets(aggs['inStock'], 'values').map((b) => ({
      value: b['key_as_string'] === 'true' || b['key'] === 1 || b['key'] === true,
      count: count(b['doc_count']),
    })),
    attributes,
  };
}

export interface MapOptions {
  /** The page size asked for; the body asked for one hit more. */
  readonly size: number;
  readonly attributes: readonly AttributeFilter[];
  /** searchKey of this search, put in nextCursor. */
  readonly key: string;
}

/** The engine's answer as the API's response. */
export function mapSearchResponse(raw: SearchResponseBody, options: MapOptions): SearchResult {
  const hits = raw.hits.hits;
  const page = hits.slice(0, options.size);
  const last = page[page.length - 1];
  const more = hits.length > options.size && last?.sort !== undefined;
  const total = raw.hits.total;
  return {
    total: typeof total === 'number' ? total : total.value,
    items: page.map(item),
    facets: facets(raw.aggregations, options.attributes),
    nextCursor:
      more && last.sort !== undefined ? encodeCursor(options.key, last.sort as SortValue[]) : null,
  };
}

const valueCount = (value: Loose) =>
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
        ],
        properties: {
          id: { type: 'string' },
          sku: { type: 'string' },
          name: { type: 'string' },
          brand: { type: ['string', 'null'] },
          price: {
            type: ['object', 'null'],
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
        },
      },
    },
    facets: {
      type: 'object',
      required: ['brand', 'category', 'price', 'inStock', 'attributes'],
      description: 'Each facet counted with every other filter applied, not its own',
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
      },
    },
    nextCursor: {
      type: ['string', 'null'],
      description: 'Pass as cursor for the next page; null when there is none',
    },
  },
} as const;

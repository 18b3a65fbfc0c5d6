/**
 * The baseline's answer in the shape of the /v1/search contract (shared/API.md): the one row of
 * the search statement (sql.ts) mapped to total, items, facets and nextCursor.
 */
import { encodePageCursor, type BaselineRequest } from './params.js';
import { FACET_LIMITS, PRICE_BOUNDS } from './sql.js';

/** One hit as the statement returns it (json_build_object in sql.ts). */
export interface HitRow {
  readonly id: string;
  readonly sku: string;
  readonly name: string;
  readonly brand: string | null;
  readonly amountMinor: number | null;
  readonly currency: string | null;
  readonly inStock: boolean;
  readonly category: string | null;
  readonly image: string | null;
  readonly hlName: string | null;
  readonly hlDescription: string | null;
}

/** One facet bucket: facet brand|category|price|inStock|attr, name (attributes only). */
export interface FacetRow {
  readonly facet: string;
  readonly name: string;
  readonly value: string;
  readonly count: number;
  /** Entries of the whole attribute name, for choosing which names to show. */
  readonly nameTotal: number;
}

export interface SearchRow {
  readonly items: readonly HitRow[];
  readonly facets: readonly FacetRow[];
  /** bigint, which the driver returns as a string. */
  readonly total: string | number | null;
}

interface ValueCount<V> {
  readonly value: V;
  readonly count: number;
}

export interface BaselineResult {
  readonly total: number;
  readonly items: unknown[];
  readonly facets: {
    readonly brand: ValueCount<string>[];
    readonly category: ValueCount<string>[];
    readonly price: { from: number; to: number | null; count: number }[];
    readonly inStock: ValueCount<boolean>[];
    readonly attributes: Record<string, ValueCount<string>[]>;
  };
  readonly nextCursor: string | null;
}

const byCount = <V>(a: ValueCount<V>, b: ValueCount<V>): number =>
  b.count - a.count || (String(a.value) < String(b.value) ? -1 : 1);

function counts(rows: readonly FacetRow[], facet: string): ValueCount<string>[] {
  return rows
    .filter((r) => r.facet === facet)
    .map((r) => ({ value: r.value, count: r.count }))
    .sort(byCount);
}

function priceFacet(rows: readonly FacetRow[]): BaselineResult['facets']['price'] {
  const byBucket = new Map(rows.filter((r) => r.facet === 'price').map((r) => [r.value, r.count]));
  return [0, ...PRICE_BOUNDS].map((from, bucket) => ({
    from,
    to: PRICE_BOUNDS[bucket] ?? null,
    count: byBucket.get(String(bucket)) ?? 0,
  }));
}

/**
 * The most frequent attribute names (by value entries, ties by name) up to the limit, plus every
 * name the request filters on, even when nothing is left to count for it.
 */
function attributeFacets(
  rows: readonly FacetRow[],
  request: BaselineRequest,
): Record<string, ValueCount<string>[]> {
  const attributeRows = rows.filter((r) => r.facet === 'attr');
  const selected = new Set(request.attributes.map((a) => a.name));
  const totals = new Map<string, number>();
  for (const r of attributeRows) if (!selected.has(r.name)) totals.set(r.name, r.nameTotal);
  const names = [...totals.entries()]
    .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
    .slice(0, FACET_LIMITS.attributeNames)
    .map(([name]) => name);
  const out: Record<string, ValueCount<string>[]> = {};
  for (const name of [...names, ...selected]) {
    out[name] = attributeRows
      .filter((r) => r.name === name)
      .map((r) => ({ value: r.value, count: r.count }))
      .sort(byCount);
  }
  return out;
}

const emphasized = (text: string | null): text is string => text !== null && text.includes('<em>');

function item(hit: HitRow) {
  return {
    id: hit.id,
    sku: hit.sku,
    name: hit.name,
    brand: hit.brand,
    price:
      hit.amountMinor === null || hit.currency === null
        ? null
        : { amountMinor: hit.amountMinor, currency: hit.currency },
    inStock: hit.inStock,
    category: hit.category,
    image: hit.image,
    highlight: {
      ...(emphasized(hit.hlName) ? { name: hit.hlName } : {}),
      ...(emphasized(hit.hlDescription) ? { description: hit.hlDescription } : {}),
    },
  };
}

export function mapSearchRow(row: SearchRow, request: BaselineRequest): BaselineResult {
  const more = row.items.length > request.size;
  return {
    total: Number(row.total ?? 0),
    items: row.items.slice(0, request.size).map(item),
    facets: {
      brand: counts(row.facets, 'brand'),
      category: counts(row.facets, 'category'),
      price: priceFacet(row.facets),
      inStock: counts(row.facets, 'inStock').map((c) => ({
        value: c.value === 'true',
        count: c.count,
      })),
      attributes: attributeFacets(row.facets, request),
    },
    nextCursor: more ? encodePageCursor(request.page + 1) : null,
  };
}

const valueCounts = (value: Record<string, unknown>) =>
  ({
    type: 'array',
    items: {
      type: 'object',
      required: ['value', 'count'],
      properties: { value, count: { type: 'integer' } },
    },
  }) as const;

/** The 200 response; Fastify serializes with it, as catalog-read does with its own. */
export const baselineResponseSchema = {
  type: 'object',
  required: ['total', 'items', 'facets', 'nextCursor'],
  properties: {
    total: { type: 'integer' },
    items: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'sku', 'name', 'brand', 'price', 'inStock', 'category', 'image'],
        properties: {
          id: { type: 'string' },
          sku: { type: 'string' },
          name: { type: 'string' },
          brand: { type: ['string', 'null'] },
          price: {
            type: ['object', 'null'],
            properties: { amountMinor: { type: 'integer' }, currency: { type: 'string' } },
          },
          inStock: { type: 'boolean' },
          category: { type: ['string', 'null'] },
          image: { type: ['string', 'null'] },
          highlight: {
            type: 'object',
            properties: { name: { type: 'string' }, description: { type: 'string' } },
          },
        },
      },
    },
    facets: {
      type: 'object',
      required: ['brand', 'category', 'price', 'inStock', 'attributes'],
      properties: {
        brand: valueCounts({ type: 'string' }),
        category: valueCounts({ type: 'string' }),
        price: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              from: { type: 'integer' },
              to: { type: ['integer', 'null'] },
              count: { type: 'integer' },
            },
          },
        },
        inStock: valueCounts({ type: 'boolean' }),
        attributes: { type: 'object', additionalProperties: valueCounts({ type: 'string' }) },
      },
    },
    nextCursor: { type: ['string', 'null'] },
  },
} as const;

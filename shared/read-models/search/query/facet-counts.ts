import { splitFacetToken } from '../document.js';
import {
  FACET_SIZES,
  PRICE_RANGES,
  type FacetPlan,
  type FixedFacet,
  type OwnGroup,
} from './facets.js';

export interface ValueCount<V> {
  readonly value: V;
  readonly count: number;
}

export interface PriceBucket {
  readonly from: number;
  readonly to: number | null;
  readonly count: number;
}

export interface SearchFacets {
  readonly brand: ValueCount<string>[];
  readonly category: ValueCount<string>[];
  readonly price: PriceBucket[];
  readonly inStock: ValueCount<boolean>[];
  readonly attributes: Record<string, ValueCount<string>[]>;
  /**
   * Facets cut at their bucket limit (more values exist than listed): `brand`, `category`,
   * `attributes` (more attribute names than listed) or `attr.<name>`. Absent when none was cut.
   */
  readonly truncated?: string[];
}

type Loose = Record<string, unknown>;

const record = (value: unknown): Loose =>
  typeof value === 'object' && value !== null ? (value as Loose) : {};
const count = (value: unknown): number => (typeof value === 'number' ? value : 0);

/** The terms or range buckets of an aggregation result. */
function buckets(agg: unknown): Loose[] {
  const list = record(agg)['buckets'];
  return Array.isArray(list) ? list.map(record) : [];
}

/** Whether a terms aggregation left values out (single shard: the count is exact). */
const cut = (agg: unknown): boolean => count(record(agg)['sum_other_doc_count']) > 0;

const keyCounts = (agg: unknown): ValueCount<string>[] =>
  buckets(agg).map((b) => ({ value: String(b['key']), count: count(b['doc_count']) }));

interface AttributeCounts {
  readonly byName: Record<string, ValueCount<string>[]>;
  readonly truncated: string[];
}

/**
 * Token buckets (`name=value`, most frequent first) grouped by name: at most
 * FACET_SIZES.attributeValues values per name, and the FACET_SIZES.attributeNames names with the
 * most (product, value) pairs. When the aggregation itself left tokens out, every name may miss
 * values and other names may be missing, so all of them say so.
 */
export function attributeCounts(tokensAgg: unknown): AttributeCounts {
  const groups = new Map<string, { pairs: number; values: ValueCount<string>[]; more: boolean }>();
  for (const b of buckets(tokensAgg)) {
    const { name, value } = splitFacetToken(String(b['key']));
    const group = groups.get(name) ?? { pairs: 0, values: [], more: false };
    groups.set(name, group);
    group.pairs += count(b['doc_count']);
    if (group.values.length < FACET_SIZES.attributeValues) {
      group.values.push({ value, count: count(b['doc_count']) });
    } else {
      group.more = true;
    }
  }
  const aggCut = cut(tokensAgg);
  const names = [...groups]
    .sort(([a, x], [b, y]) => y.pairs - x.pairs || (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, FACET_SIZES.attributeNames);
  const truncated = aggCut || groups.size > names.length ? ['attributes'] : [];
  for (const [name, group] of names) {
    if (aggCut || group.more) truncated.push(`attr.${name}`);
  }
  return { byName: Object.fromEntries(names.map(([name, g]) => [name, g.values])), truncated };
}

function fixedCounts(facet: FixedFacet, agg: unknown) {
  switch (facet) {
    case 'price': {
      const ranges = buckets(agg);
      return PRICE_RANGES.map((range, i) => ({ ...range, count: count(ranges[i]?.['doc_count']) }));
    }
    case 'inStock':
      return buckets(agg).map((b) => ({
        value: b['key_as_string'] === 'true' || b['key'] === 1 || b['key'] === true,
        count: count(b['doc_count']),
      }));
    default:
      return keyCounts(agg);
  }
}

/** Where the shared aggregations and each own group's aggregations are in a response. */
export function facetNodes(aggregations: unknown, plan: FacetPlan) {
  const aggs = record(aggregations);
  return {
    shared: plan.filtersInQuery ? aggs : record(aggs['shared']),
    own: (group: OwnGroup): Loose => {
      const node = record(aggs[group.agg]);
      return plan.filtersInQuery ? record(node['matching']) : node;
    },
  };
}

/** The keys of a terms aggregation's buckets. */
export const bucketKeys = (agg: unknown): string[] => buckets(agg).map((b) => String(b['key']));

/** The facets of the engine's aggregations, as built from `plan` (facets.ts). */
export function mapFacets(aggregations: unknown, plan: FacetPlan): SearchFacets {
  const { shared, own: ownNode } = facetNodes(aggregations, plan);
  const truncated: string[] = [];
  const fixed = (facet: FixedFacet) => {
    const own = plan.own.find((g) => g.facet === facet);
    const source =
      own !== undefined ? ownNode(own) : plan.sharedFixed.includes(facet) ? shared : undefined;
    if (source === undefined) return [];
    if (cut(source[facet])) truncated.push(facet);
    return fixedCounts(facet, source[facet]);
  };
  const brand = fixed('brand') as ValueCount<string>[];
  const category = fixed('category') as ValueCount<string>[];
  const price = fixed('price') as PriceBucket[];
  const inStock = fixed('inStock') as ValueCount<boolean>[];

  const attributes: Record<string, ValueCount<string>[]> = {};
  if (plan.sharedAttributes !== undefined) {
    const counted = attributeCounts(shared['tokens']);
    Object.assign(attributes, counted.byName);
    truncated.push(...counted.truncated);
  }
  for (const group of plan.own) {
    if (typeof group.facet === 'string') continue;
    const name = group.facet.attribute;
    const tokens = ownNode(group)['tokens'];
    attributes[name] = attributeCounts(tokens).byName[name] ?? [];
    if (cut(tokens)) truncated.push(`attr.${name}`);
  }
  return {
    brand,
    category,
    price,
    inStock,
    attributes,
    ...(truncated.length === 0 ? {} : { truncated }),
  };
}

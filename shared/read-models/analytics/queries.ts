import type { ClickHouseClient } from '../../stores/clickhouse.js';
import {
  isoFromUnix,
  list,
  select,
  sql,
  toNullableNumber,
  toNumber,
  type Sql,
} from '../../stores/clickhouse-sql.js';
import type { TimeWindow } from './window.js';
import { VARIANT_PRICE_EVENTS, VARIANT_STOCK_EVENTS } from './variant-rows.js';

/**
 * The analytics questions as SQL every ClickHouse from 18.16 on runs. Tables deduplicate retried
 * inserts by event id only on merge, so every count of events is uniqExact(event_id), and row
 * reads and sums (a product_views row holds a count of views) use FINAL. Ties are broken
 * explicitly so equal counts come back in a stable order.
 */

export const productMetrics = ['views'] as const;
export type ProductMetric = (typeof productMetrics)[number];

export const intervals = ['hour', 'day'] as const;
export type Interval = (typeof intervals)[number];

export interface Ranked {
  readonly window: TimeWindow;
  readonly limit: number;
}

const within = (window: TimeWindow): Sql =>
  sql`occurred_at >= ${window.from} AND occurred_at < ${window.to}`;

// ---------------------------------------------------------------- top products

export interface TopProduct {
  productId: string;
  views: number;
}

/**
 * A product_views row is one product's views in one flush of a catalog-read instance (`views`;
 * 1 for rows recorded one per view before that): FINAL keeps one row per event id, so a retried
 * job's copy does not count twice.
 */
const productMetricSql: Readonly<Record<ProductMetric, Sql>> = {
  views: sql`sum(views)`,
};

export function topProductsSql(metric: ProductMetric, { window, limit }: Ranked): Sql {
  return sql`SELECT toString(product_id) AS product, ${productMetricSql[metric]} AS n
FROM product_views FINAL
WHERE ${within(window)}
GROUP BY product
ORDER BY n DESC, product ASC
LIMIT ${limit}`;
}

export async function topProducts(
  client: ClickHouseClient,
  metric: ProductMetric,
  ranked: Ranked,
): Promise<TopProduct[]> {
  const rows = await select<{ product: string; n: unknown }>(
    client,
    topProductsSql(metric, ranked),
  );
  return rows.map((r) => ({ productId: r.product, views: toNumber(r.n) }));
}

// ---------------------------------------------------------------- searches

export interface TopSearch {
  query: string;
  searches: number;
  avgResults: number;
}

/** An empty normalized query is browsing (filters only), not a search anyone typed. */
const typedQuery = sql`normalized_query != ''`;

export function topSearchesSql({ window, limit }: Ranked): Sql {
  return sql`SELECT normalized_query AS query, uniqExact(event_id) AS searches, avg(result_count) AS avg_results
FROM storefront_searches FINAL
WHERE ${within(window)} AND ${typedQuery}
GROUP BY normalized_query
ORDER BY searches DESC, query ASC
LIMIT ${limit}`;
}

export async function topSearches(client: ClickHouseClient, ranked: Ranked): Promise<TopSearch[]> {
  const rows = await select<{ query: string; searches: unknown; avg_results: unknown }>(
    client,
    topSearchesSql(ranked),
  );
  return rows.map((r) => ({
    query: r.query,
    searches: toNumber(r.searches),
    avgResults: toNumber(r.avg_results),
  }));
}

export interface ZeroResultSearch {
  query: string;
  searches: number;
  lastSearchedAt: string;
}

export function zeroResultsSql({ window, limit }: Ranked): Sql {
  return sql`SELECT normalized_query AS query, uniqExact(event_id) AS searches, toUnixTimestamp(max(occurred_at)) AS last_at
FROM storefront_searches
WHERE ${within(window)} AND ${typedQuery} AND result_count = ${0}
GROUP BY normalized_query
ORDER BY searches DESC, last_at DESC, query ASC
LIMIT ${limit}`;
}

export async function zeroResultSearches(
  client: ClickHouseClient,
  ranked: Ranked,
): Promise<ZeroResultSearch[]> {
  const rows = await select<{ query: string; searches: unknown; last_at: unknown }>(
    client,
    zeroResultsSql(ranked),
  );
  return rows.map((r) => ({
    query: r.query,
    searches: toNumber(r.searches),
    lastSearchedAt: isoFromUnix(r.last_at),
  }));
}

// ---------------------------------------------------------------- product history

/**
 * Price and stock history come from two tables: catalog_events holds the product-level rows
 * (variantId null), variant_history the rows of each variant. Without a variant both are listed;
 * with one, only its rows. Rows are in version order, product-level first within a version, then
 * by variant id.
 */
export interface HistoryFilter {
  readonly productId: string;
  readonly window: TimeWindow;
  /** Only this variant's rows. */
  readonly variantId?: string;
}

export interface PricePoint {
  at: string;
  amountMinor: number;
  currency: string;
  version: number;
  variantId: string | null;
}

const priceEvents = ['ProductCreated', 'ProductPriceChanged'] as const;

/** Both selects of a history, or only the variant one, ordered by version, variant and event. */
function historySql(filter: HistoryFilter, productRows: Sql, variantRows: Sql): Sql {
  const rows =
    filter.variantId === undefined ? sql`${productRows} UNION ALL ${variantRows}` : variantRows;
  return sql`SELECT * FROM (${rows})
ORDER BY version ASC, variant ASC, event ASC`;
}

const ofProduct = (filter: HistoryFilter): Sql =>
  sql`product_id = toUUID(${filter.productId}) AND ${within(filter.window)}`;

const ofVariant = (filter: HistoryFilter): Sql =>
  filter.variantId === undefined
    ? ofProduct(filter)
    : sql`${ofProduct(filter)} AND variant_id = toUUID(${filter.variantId})`;

export function priceHistorySql(filter: HistoryFilter): Sql {
  const columns = sql`toUnixTimestamp(occurred_at) AS at, price_minor, currency, version`;
  return historySql(
    filter,
    sql`SELECT ${columns}, '' AS variant, toString(event_id) AS event
FROM catalog_events FINAL
WHERE ${ofProduct(filter)} AND event_type IN (${list(priceEvents)}) AND isNotNull(price_minor)`,
    sql`SELECT ${columns}, toString(variant_id) AS variant, toString(event_id) AS event
FROM variant_history FINAL
WHERE ${ofVariant(filter)} AND event_type IN (${list(VARIANT_PRICE_EVENTS)}) AND isNotNull(price_minor)`,
  );
}

const variantIdOf = (variant: string): string | null => (variant === '' ? null : variant);

export async function priceHistory(
  client: ClickHouseClient,
  filter: HistoryFilter,
): Promise<PricePoint[]> {
  const rows = await select<{
    at: unknown;
    price_minor: unknown;
    currency: string | null;
    version: unknown;
    variant: string;
  }>(client, priceHistorySql(filter));
  return rows.map((r) => ({
    at: isoFromUnix(r.at),
    amountMinor: toNumber(r.price_minor),
    currency: r.currency ?? '',
    version: toNumber(r.version),
    variantId: variantIdOf(r.variant),
  }));
}

export interface StockMovement {
  at: string;
  warehouse: string | null;
  delta: number;
  available: number | null;
  reason: string | null;
  version: number;
  variantId: string | null;
}

export function stockHistorySql(filter: HistoryFilter): Sql {
  const columns = sql`toUnixTimestamp(occurred_at) AS at, warehouse, stock_delta, stock_available, reason, version`;
  return historySql(
    filter,
    sql`SELECT ${columns}, '' AS variant, toString(event_id) AS event
FROM catalog_events FINAL
WHERE ${ofProduct(filter)} AND event_type = ${'ProductStockAdjusted'} AND isNotNull(stock_delta)`,
    sql`SELECT ${columns}, toString(variant_id) AS variant, toString(event_id) AS event
FROM variant_history FINAL
WHERE ${ofVariant(filter)} AND event_type IN (${list(VARIANT_STOCK_EVENTS)}) AND isNotNull(stock_delta)`,
  );
}

export async function stockHistory(
  client: ClickHouseClient,
  filter: HistoryFilter,
): Promise<StockMovement[]> {
  const rows = await select<{
    at: unknown;
    warehouse: string | null;
    stock_delta: unknown;
    stock_available: unknown;
    reason: string | null;
    version: unknown;
    variant: string;
  }>(client, stockHistorySql(filter));
  return rows.map((r) => ({
    at: isoFromUnix(r.at),
    warehouse: r.warehouse,
    delta: toNumber(r.stock_delta),
    available: toNullableNumber(r.stock_available),
    reason: r.reason,
    version: toNumber(r.version),
    variantId: variantIdOf(r.variant),
  }));
}

// ---------------------------------------------------------------- catalog changes

export interface ChangeBucket {
  bucket: string;
  eventType: string;
  changes: number;
}

/** Buckets start on the UTC hour or day whatever the server's time zone. */
const bucketSql: Readonly<Record<Interval, Sql>> = {
  hour: sql`toStartOfHour(occurred_at, 'UTC')`,
  day: sql`toStartOfDay(occurred_at, 'UTC')`,
};

export function catalogChangesSql(interval: Interval, window: TimeWindow): Sql {
  return sql`SELECT toUnixTimestamp(${bucketSql[interval]}) AS bucket, event_type, uniqExact(event_id) AS changes
FROM catalog_events
WHERE ${within(window)}
GROUP BY bucket, event_type
ORDER BY bucket ASC, event_type ASC`;
}

export async function catalogChanges(
  client: ClickHouseClient,
  interval: Interval,
  window: TimeWindow,
): Promise<ChangeBucket[]> {
  const rows = await select<{ bucket: unknown; event_type: string; changes: unknown }>(
    client,
    catalogChangesSql(interval, window),
  );
  return rows.map((r) => ({
    bucket: isoFromUnix(r.bucket),
    eventType: r.event_type,
    changes: toNumber(r.changes),
  }));
}

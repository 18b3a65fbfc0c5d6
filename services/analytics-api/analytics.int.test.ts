import { openRedis } from '../../shared/stores/redis.js';
import { randomUUID } from 'node:crypto';
import t from 'tap';
import type {
  Money,
  ProductChanges,
  ProductEvent,
  ProductEventType,
  VariantSnapshot,
} from '../../shared/events/catalog-events.js';
import { clickhouseFromConfig, clickhouseOptions } from '../../shared/stores/open.js';
import { isolatedConfig } from '../../test/support/isolation.js';
import { silentLogger } from '../../test/support/logger.js';
import { catalogEventRow, eventRows } from '../../shared/read-models/analytics/projection.js';
import { buildAnalyticsApiApp } from './app.js';
import { ruleSnapshot } from '../../test/support/merchandising.js';
import { merchandisingProjection } from '../../shared/read-models/merchandising/projection.js';
import { literal, select, sql, toNumber } from '../../shared/stores/clickhouse-sql.js';
import { bootstrapClickHouse } from '../../shared/read-models/analytics/tables.js';

/*
 * One ClickHouse database for this file (isolatedConfig drops it at teardown), filled with known
 * rows, merges stopped so duplicate rows stay duplicate. Every answer is checked against a
 * reference computed in JS from the very rows inserted, and the history/changes answers also
 * against hand-written expectations.
 */

const TOKEN = 'analytics-token-for-tests-01';
const BASE = '/analytics/v1';
const config = isolatedConfig(t);
await bootstrapClickHouse(clickhouseOptions(config));
const clickhouse = clickhouseFromConfig(config);
const redisHandle = openRedis(config.redisUrl);
const redis = redisHandle.client;
const app = await buildAnalyticsApiApp({
  config,
  logger: silentLogger,
  clickhouse,
  redis: redisHandle,
});
t.teardown(() => app.close());
const ch = clickhouse.client;
const tables = [
  'catalog_events',
  'product_views',
  'storefront_searches',
  'variant_history',
] as const;
for (const table of tables) {
  await ch.command({ query: `SYSTEM STOP MERGES ${config.clickhouseDatabase}.${table}` });
}

const get = (url: string, token: string | null = TOKEN) =>
  app.inject({
    method: 'GET',
    url,
    headers: token === null ? {} : { authorization: `Bearer ${token}` },
  });

/** A report's rows without their coverage (checked in a test of its own). */
function withoutCoverage<T>(res: { json<U>(): U }): T[] {
  return res.json<(T & { coverage?: unknown })[]>().map((row) => {
    const copy = { ...row };
    delete copy.coverage;
    return copy;
  });
}

async function insert(table: string, rows: readonly object[]): Promise<void> {
  await ch.insert({ table, values: [...rows], format: 'JSONEachRow' });
}

const ms = (iso: string) => Date.parse(iso);
const isoZ = (time: number) => new Date(time).toISOString().replace('.000Z', 'Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const qs = (params: Record<string, string | number>) =>
  new URLSearchParams(
    Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]),
  ).toString();

/** An ASCII-only label: U+2028 and friends in an assertion name would break the TAP stream. */
const label = (value: string) =>
  JSON.stringify(value.slice(0, 30)).replace(
    /[^\x20-\x7e]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );

/** The main window of the fixtures: [2024-03-01, 2024-03-08). */
const W = { from: '2024-03-01T00:00:00Z', to: '2024-03-08T00:00:00Z' };

// ------------------------------------------------------------------ product_views fixtures

/**
 * A row is one product's views in one flush of a catalog-read (`views`), or one view (rows from
 * before views were counted; the projection always writes the count, 1 for those: 18.16 gives
 * an omitted JSONEachRow column 0, not its DEFAULT).
 */
interface ViewRow {
  event_id: string;
  occurred_at: string;
  product_id: string;
  views: number;
}
const products = Array.from({ length: 14 }, () => randomUUID());
const viewCounts = [9, 7, 7, 5, 12, 3, 3, 3, 1, 2, 6, 4, 8, 2];
const views: ViewRow[] = [];
products.forEach((productId, i) => {
  // Product i's views come in rows of up to 1 + i % 3 views: one-per-view rows and counted ones.
  const perRow = 1 + (i % 3);
  const total = viewCounts[i] ?? 0;
  for (let k = 0; k < total; k += perRow) {
    const at = ms(W.from) + (((i * 7 + k * 13) % 168) * HOUR + k * 60_000);
    views.push({
      event_id: randomUUID(),
      occurred_at: isoZ(at),
      product_id: productId,
      views: Math.min(perRow, total - k),
    });
  }
});
const edgeProduct = products[13] as string;
const view = (at: string, productId = edgeProduct, n = 1): ViewRow => ({
  event_id: randomUUID(),
  occurred_at: at,
  product_id: productId,
  views: n,
});
// out, out, in: counted rows outside the window would show in the edge product's total
views.push(view('2024-02-29T23:59:59Z', edgeProduct, 4), view(W.to, edgeProduct, 5), view(W.from));
const recentProduct = randomUUID();
const now = Date.now();
views.push(
  view(isoZ(Math.floor((now - HOUR) / 1000) * 1000), recentProduct),
  view(isoZ(Math.floor((now - 2 * HOUR) / 1000) * 1000), recentProduct),
  view(isoZ(Math.floor((now - 8 * DAY) / 1000) * 1000), recentProduct, 6),
);
const top = products[4] as string;
// A retried batch: the same events again, in separate inserts (separate parts).
const viewRetries = views.filter(
  (v, i) => v.product_id === top || v.product_id === edgeProduct || i % 5 === 0,
);

/** Each product's views in [from, to): every event's count, a retried event's counted once. */
function expectedTopViews(from: string, to: string, limit: number) {
  const events = new Map<string, Map<string, number>>();
  for (const v of [...views, ...viewRetries]) {
    const at = ms(v.occurred_at);
    if (at < ms(from) || at >= ms(to)) continue;
    const counts = events.get(v.product_id) ?? new Map<string, number>();
    counts.set(v.event_id, v.views);
    events.set(v.product_id, counts);
  }
  return [...events]
    .map(([productId, counts]) => ({
      productId,
      views: [...counts.values()].reduce((sum, n) => sum + n, 0),
    }))
    .sort((a, b) => b.views - a.views || byText(a.productId, b.productId))
    .slice(0, limit);
}

// ------------------------------------------------------------------ storefront_searches fixtures

interface SearchRow {
  event_id: string;
  occurred_at: string;
  query: string;
  normalized_query: string;
  filters: string;
  result_count: number;
  latency_ms: number;
}
const search = (normalized: string, resultCount: number, at: string): SearchRow => ({
  event_id: randomUUID(),
  occurred_at: at,
  query: ` ${normalized.toUpperCase()} `,
  normalized_query: normalized,
  filters: '{}',
  result_count: resultCount,
  latency_ms: 7,
});
const searchPlan: [string, number[]][] = [
  ['shoe', [10, 20, 30, 0, 5]],
  ['red shoe', [1, 1, 1, 1, 2]],
  ["o'neill", [0, 0, 0]],
  ['back\\slash', [1, 2]],
  ['üñí 💥', [0, 4]],
  ['jacket', [0]],
  ['', [0, 0, 3, 9, 0, 0]],
];
const searches: SearchRow[] = [];
searchPlan.forEach(([normalized, counts], i) => {
  counts.forEach((count, k) => {
    const at = ms(W.from) + i * 5 * HOUR + k * 7 * HOUR + 17_000;
    searches.push(search(normalized, count, isoZ(at)));
  });
});
searches.push(
  search('shoe', 99, '2024-02-29T23:59:59Z'), // before the window
  search('jacket', 0, W.to), // at `to`: excluded
  search('never', 0, '2024-03-07T23:59:59Z'), // last second inside
);
const searchRetries = searches.filter((_, i) => i % 3 === 0);

function inWindowSearches(from: string, to: string): SearchRow[] {
  const unique = new Map<string, SearchRow>();
  for (const s of [...searches, ...searchRetries]) {
    const at = ms(s.occurred_at);
    if (at >= ms(from) && at < ms(to) && s.normalized_query !== '') unique.set(s.event_id, s);
  }
  return [...unique.values()];
}

function expectedTopSearches(from: string, to: string, limit: number) {
  const groups = new Map<string, SearchRow[]>();
  for (const s of inWindowSearches(from, to)) {
    groups.set(s.normalized_query, [...(groups.get(s.normalized_query) ?? []), s]);
  }
  return [...groups]
    .map(([query, rows]) => ({
      query,
      searches: rows.length,
      avgResults: rows.reduce((sum, r) => sum + r.result_count, 0) / rows.length,
    }))
    .sort((a, b) => b.searches - a.searches || byText(a.query, b.query))
    .slice(0, limit);
}

function expectedZeroResults(from: string, to: string, limit: number) {
  const groups = new Map<string, SearchRow[]>();
  for (const s of inWindowSearches(from, to).filter((r) => r.result_count === 0)) {
    groups.set(s.normalized_query, [...(groups.get(s.normalized_query) ?? []), s]);
  }
  return [...groups]
    .map(([query, rows]) => ({
      query,
      searches: rows.length,
      last: Math.max(...rows.map((r) => ms(r.occurred_at))),
    }))
    .sort((a, b) => b.searches - a.searches || b.last - a.last || byText(a.query, b.query))
    .slice(0, limit)
    .map(({ query, searches: n, last }) => ({ query, searches: n, lastSearchedAt: isoZ(last) }));
}

// ------------------------------------------------------------------ catalog_events fixtures

interface EventSpec {
  type: ProductEventType;
  version: number;
  at: string;
  price?: Money | null;
  available?: number;
  stock?: { warehouse: string; delta: number; reason: string };
}

function productEvent(productId: string, spec: EventSpec): ProductEvent {
  const available = spec.available ?? 0;
  return {
    aggregate: 'product',
    type: spec.type,
    eventId: randomUUID(),
    productId,
    version: spec.version,
    occurredAt: spec.at,
    correlationId: null,
    snapshot: {
      id: productId,
      sku: `SKU-${productId.slice(0, 8)}`,
      name: 'Fixture',
      description: '',
      brand: null,
      categoryId: null,
      attributes: {},
      images: [],
      price: spec.price ?? null,
      stock: { available, byWarehouse: {} },
      status: 'draft',
      createdAt: spec.at,
      updatedAt: spec.at,
      version: spec.version,
    },
    changes: {
      fields: [],
      ...(spec.stock === undefined ? {} : { stock: { ...spec.stock, onHand: available } }),
    },
  };
}

const A = randomUUID();
const B = randomUUID();
const C = randomUUID();
const eur = (amountMinor: number): Money => ({ amountMinor, currency: 'EUR' });
const eventsA = [
  { type: 'ProductCreated', version: 1, at: '2024-03-01T09:15:00Z', price: eur(1999) },
  {
    type: 'ProductStockAdjusted',
    version: 2,
    at: '2024-03-01T09:45:00Z',
    price: eur(1999),
    available: 10,
    stock: { warehouse: 'main', delta: 10, reason: 'restock' },
  },
  {
    type: 'ProductPriceChanged',
    version: 3,
    at: '2024-03-01T10:00:00Z',
    price: eur(1799),
    available: 10,
  },
  {
    type: 'ProductStockAdjusted',
    version: 4,
    at: '2024-03-02T08:00:00Z',
    price: eur(1799),
    available: 7,
    stock: { warehouse: 'main', delta: -3, reason: 'sale' },
  },
  {
    type: 'ProductDetailsChanged',
    version: 5,
    at: '2024-03-02T08:30:00Z',
    price: eur(1799),
    available: 7,
  },
  {
    type: 'ProductPublished',
    version: 6,
    at: '2024-03-02T23:59:59Z',
    price: eur(1799),
    available: 7,
  },
  {
    type: 'ProductPriceChanged',
    version: 7,
    at: '2024-03-03T00:00:00Z',
    price: eur(1899),
    available: 7,
  },
  {
    type: 'ProductStockAdjusted',
    version: 8,
    at: '2024-03-03T00:00:00Z',
    price: eur(1899),
    available: 12,
    stock: { warehouse: 'east', delta: 5, reason: "found in 'returns' \\ bin" },
  },
  {
    type: 'ProductPriceChanged',
    version: 9,
    at: '2024-03-09T00:00:00Z',
    price: eur(1500),
    available: 12,
  },
] satisfies EventSpec[];
const eventsB = [
  { type: 'ProductCreated', version: 1, at: '2024-03-01T09:20:00Z', price: null },
  {
    type: 'ProductPriceChanged',
    version: 2,
    at: '2024-03-01T10:59:59Z',
    price: { amountMinor: 500, currency: 'USD' },
  },
  {
    type: 'ProductStockAdjusted',
    version: 3,
    at: '2024-03-01T11:00:00Z',
    price: { amountMinor: 500, currency: 'USD' },
    available: 4,
    stock: { warehouse: 'main', delta: 4, reason: 'initial' },
  },
] satisfies EventSpec[];
const eventsC = [
  { type: 'ProductCreated', version: 1, at: '2024-02-29T23:59:59Z', price: eur(100) },
] satisfies EventSpec[];
const catalogEvents = [
  ...eventsA.map((e) => productEvent(A, e)),
  ...eventsB.map((e) => productEvent(B, e)),
  ...eventsC.map((e) => productEvent(C, e)),
];
const catalogRows = catalogEvents.map(catalogEventRow);
const catalogRetries = catalogEvents
  .filter((e) => [3, 4, 7].includes(e.version) || (e.productId === B && e.version === 2))
  .map(catalogEventRow);

// ------------------------------------------------------------------ variant fixtures

/*
 * In July, away from W and from every window the tests above count in: VA starts as a single SKU
 * (product-level price and stock), then gains variants; VB is created with variants.
 */
const WV = { from: '2024-07-01T00:00:00Z', to: '2024-07-08T00:00:00Z' };
const VA = randomUUID();
const VB = randomUUID();
/** Variant ids in ascending order, so rows of one version come in this order. */
const [va1, va2, va3, vb1, vb2, vb3] = Array.from({ length: 6 }, () => randomUUID()).sort(
  byText,
) as [string, string, string, string, string, string];

const variantSnapshot = (id: string, price: Money | null, available = 0): VariantSnapshot => ({
  id,
  sku: `V-${id.slice(0, 8)}`,
  options: { size: id.slice(0, 4) },
  attributes: {},
  images: [],
  price,
  stock: { available, byWarehouse: available > 0 ? { main: available } : {} },
});

interface VariantEventSpec {
  type: ProductEventType;
  version: number;
  at: string;
  price?: Money | null;
  available?: number;
  variants: VariantSnapshot[];
  changes?: Omit<ProductChanges, 'fields'>;
}

function variantEvent(productId: string, spec: VariantEventSpec): ProductEvent {
  const base = productEvent(productId, {
    type: spec.type,
    version: spec.version,
    at: spec.at,
    price: spec.price ?? null,
    ...(spec.available === undefined ? {} : { available: spec.available }),
  });
  return {
    ...base,
    snapshot: {
      ...base.snapshot,
      options: spec.variants.length > 0 ? ['size'] : [],
      variants: spec.variants,
    },
    changes: { fields: [], ...spec.changes },
  };
}

const a1 = (price: number, available = 0) => variantSnapshot(va1, eur(price), available);
const a2 = (price: number) => variantSnapshot(va2, eur(price));
const a3 = (price: number | null) => variantSnapshot(va3, price === null ? null : eur(price));
const move = (delta: number, reason: string) => ({ warehouse: 'main', delta, reason, onHand: 0 });
const eventsVA: VariantEventSpec[] = [
  {
    type: 'ProductCreated',
    version: 1,
    at: '2024-07-01T08:00:00Z',
    price: eur(1000),
    variants: [],
  },
  {
    type: 'ProductPriceChanged',
    version: 2,
    at: '2024-07-01T08:30:00Z',
    price: eur(1100),
    variants: [],
    changes: { price: { from: eur(1000), to: eur(1100) } },
  },
  {
    type: 'ProductStockAdjusted',
    version: 3,
    at: '2024-07-01T08:45:00Z',
    price: eur(1100),
    available: 4,
    variants: [],
    changes: { stock: move(4, 'initial') },
  },
  {
    type: 'VariantAdded',
    version: 4,
    at: '2024-07-01T09:00:00Z',
    variants: [a1(1999)],
    changes: { variantId: va1 },
  },
  {
    type: 'VariantAdded',
    version: 5,
    at: '2024-07-01T09:30:00Z',
    variants: [a1(1999), a2(2499)],
    changes: { variantId: va2 },
  },
  {
    type: 'VariantStockAdjusted',
    version: 6,
    at: '2024-07-01T10:00:00Z',
    variants: [a1(1999, 8), a2(2499)],
    changes: { variantId: va1, stock: move(8, 'restock') },
  },
  {
    type: 'VariantPriceChanged',
    version: 7,
    at: '2024-07-02T08:00:00Z',
    variants: [a1(1999, 8), a2(2299)],
    changes: { variantId: va2, price: { from: eur(2499), to: eur(2299) } },
  },
  {
    type: 'VariantAdded',
    version: 8,
    at: '2024-07-02T09:00:00Z',
    variants: [a1(1999, 8), a2(2299), a3(null)],
    changes: { variantId: va3 },
  },
  {
    type: 'VariantStockAdjusted',
    version: 9,
    at: '2024-07-03T00:00:00Z',
    variants: [a1(1999, 6), a2(2299), a3(null)],
    changes: { variantId: va1, stock: move(-2, 'sale') },
  },
  {
    type: 'VariantPriceChanged',
    version: 10,
    at: '2024-07-03T00:00:00Z',
    variants: [a1(1999, 6), a2(2299), a3(999)],
    changes: { variantId: va3, price: { from: null, to: eur(999) } },
  },
  {
    type: 'VariantRemoved',
    version: 11,
    at: '2024-07-04T00:00:00Z',
    variants: [a1(1999, 6), a3(999)],
    changes: { variantId: va2 },
  },
  {
    type: 'VariantPriceChanged',
    version: 12,
    at: '2024-07-09T00:00:00Z',
    variants: [a1(1500, 6), a3(999)],
    changes: { variantId: va1, price: { from: eur(1999), to: eur(1500) } },
  },
];
const eventsVB: VariantEventSpec[] = [
  {
    type: 'ProductCreated',
    version: 1,
    at: '2024-07-05T12:00:00Z',
    variants: [
      variantSnapshot(vb1, eur(3000)),
      variantSnapshot(vb2, null),
      variantSnapshot(vb3, eur(2800)),
    ],
  },
];
const variantEvents = [
  ...eventsVA.map((e) => variantEvent(VA, e)),
  ...eventsVB.map((e) => variantEvent(VB, e)),
];
const variantRows = variantEvents.map(eventRows);
const variantRetries = variantEvents.filter((e) => [6, 7].includes(e.version)).map(eventRows);

// ------------------------------------------------------------------ load

await insert('product_views', views);
await insert('product_views', viewRetries);
await insert('storefront_searches', searches);
await insert('storefront_searches', searchRetries);
await insert('catalog_events', catalogRows);
await insert('catalog_events', catalogRetries);
for (const batch of [variantRows, variantRetries]) {
  await insert(
    'catalog_events',
    batch.map((r) => r.event),
  );
  await insert(
    'variant_history',
    batch.flatMap((r) => r.variants),
  );
}
const variantHistoryCount = [...variantRows, ...variantRetries].flatMap((r) => r.variants).length;

const tableSql = {
  catalog_events: sql`catalog_events`,
  product_views: sql`product_views`,
  storefront_searches: sql`storefront_searches`,
  variant_history: sql`variant_history`,
} as const;
async function tableCounts(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of tables) {
    const [row] = await select<{ n: unknown }>(
      ch,
      sql`SELECT count() AS n FROM ${tableSql[table]}`,
    );
    counts[table] = toNumber(row?.n);
  }
  return counts;
}
const countsAfterLoad = await tableCounts();

t.test('The fixtures really hold duplicate rows (merges are stopped)', async (t) => {
  t.same(countsAfterLoad, {
    catalog_events:
      catalogRows.length + catalogRetries.length + variantRows.length + variantRetries.length,
    variant_history: variantHistoryCount,
    product_views: views.length + viewRetries.length,
    storefront_searches: searches.length + searchRetries.length,
  });
});

// ------------------------------------------------------------------ routes

t.test('GET /products/top ranks products by distinct views in [from, to)', async (t) => {
  const res = await get(`${BASE}/products/top?${qs({ metric: 'views', ...W })}`);
  t.equal(res.statusCode, 200);
  const body = res.json<{ productId: string; views: number }[]>();
  t.same(body, expectedTopViews(W.from, W.to, 10));
  t.equal(body.length, 10, 'default limit 10');
  t.same(body[0], { productId: top, views: 12 }, 'duplicates of the top product counted once');
  t.same(body[1], { productId: products[0], views: 9 });
  t.same(body[2], { productId: products[12], views: 8 });
  t.same(
    body.slice(3, 5).map((r) => r.productId),
    [products[1] as string, products[2] as string].sort(byText),
    'ties ordered by product id',
  );

  const edge = await get(`${BASE}/products/top?${qs({ ...W, limit: 100 })}`);
  const all = edge.json<{ productId: string; views: number }[]>();
  t.same(all, expectedTopViews(W.from, W.to, 100));
  t.equal(all.length, 14, 'limit 100 returns every product with views');
  t.same(
    all.find((r) => r.productId === edgeProduct),
    { productId: edgeProduct, views: 3 },
    'the view at `from` counts; the one before it and the one at `to` do not',
  );

  const three = await get(`${BASE}/products/top?${qs({ ...W, limit: 3 })}`);
  t.same(three.json(), expectedTopViews(W.from, W.to, 3));

  const narrow = { from: '2024-03-03T00:00:00Z', to: '2024-03-04T12:30:00Z' };
  const n = await get(`${BASE}/products/top?${qs({ ...narrow, limit: 100 })}`);
  t.same(n.json(), expectedTopViews(narrow.from, narrow.to, 100));
  t.ok(n.json<unknown[]>().length > 0, 'the narrow window has views');

  const empty = await get(`${BASE}/products/top?from=2020-01-01T00:00:00Z&to=2020-02-01T00:00:00Z`);
  t.equal(empty.statusCode, 200);
  t.same(empty.json(), []);
});

t.test('GET /products/top defaults to the last 7 days', async (t) => {
  const res = await get(`${BASE}/products/top`);
  t.equal(res.statusCode, 200);
  t.same(res.json(), [{ productId: recentProduct, views: 2 }]);
});

t.test('GET /searches/top ranks normalized queries with their mean result count', async (t) => {
  const res = await get(`${BASE}/searches/top?${qs(W)}`);
  t.equal(res.statusCode, 200);
  const body = withoutCoverage<{ query: string; searches: number; avgResults: number }>(res);
  t.same(body, expectedTopSearches(W.from, W.to, 10));
  t.same(body.slice(0, 3), [
    { query: 'red shoe', searches: 5, avgResults: 1.2 },
    { query: 'shoe', searches: 5, avgResults: 13 },
    { query: "o'neill", searches: 3, avgResults: 0 },
  ]);
  t.notOk(
    body.some((r) => r.query === ''),
    'browsing without a query is not a search',
  );
  t.ok(body.some((r) => r.query === 'back\\slash' && r.searches === 2));
  t.ok(body.some((r) => r.query === 'üñí 💥' && r.avgResults === 2));

  const two = await get(`${BASE}/searches/top?${qs({ ...W, limit: 2 })}`);
  t.same(withoutCoverage(two), expectedTopSearches(W.from, W.to, 2));
  const narrow = { from: '2024-03-01T10:00:00Z', to: '2024-03-02T06:00:00Z' };
  const n = await get(`${BASE}/searches/top?${qs(narrow)}`);
  t.same(withoutCoverage(n), expectedTopSearches(narrow.from, narrow.to, 10));
  t.ok(n.json<unknown[]>().length > 0);
});

t.test('GET /searches/zero-results lists queries that found nothing', async (t) => {
  const res = await get(`${BASE}/searches/zero-results?${qs(W)}`);
  t.equal(res.statusCode, 200);
  const body = withoutCoverage<{ query: string; searches: number; lastSearchedAt: string }>(res);
  t.same(body, expectedZeroResults(W.from, W.to, 10));
  t.same(body[0]?.query, "o'neill");
  t.equal(body[0]?.searches, 3);
  t.same(
    body.map((r) => r.query).sort(byText),
    ['jacket', 'never', "o'neill", 'shoe', 'üñí 💥'].sort(byText),
  );
  t.same(
    body.find((r) => r.query === 'never'),
    { query: 'never', searches: 1, lastSearchedAt: '2024-03-07T23:59:59Z' },
  );
  t.same(
    body.find((r) => r.query === 'jacket')?.searches,
    1,
    'the zero-result search at `to` is outside',
  );
  const one = await get(`${BASE}/searches/zero-results?${qs({ ...W, limit: 1 })}`);
  t.same(withoutCoverage(one), expectedZeroResults(W.from, W.to, 1));
});

t.test('The search reports say what merchandising does for each query now', async (t) => {
  interface Covered {
    query: string;
    coverage: { covered: boolean; synonyms: string[]; rules: { id: string; pins: number }[] };
  }
  const report = async () =>
    (await get(`${BASE}/searches/zero-results?${qs(W)}`)).json<Covered[]>();
  const before = await report();
  t.same(
    before.find((r) => r.query === 'jacket')?.coverage,
    { covered: true, synonyms: ['coat'], rules: [] },
    'the initial synonym set (the repo file) expands jacket',
  );
  t.same(before.find((r) => r.query === "o'neill")?.coverage, {
    covered: false,
    synonyms: [],
    rules: [],
  });

  const merchandising = merchandisingProjection(redis, config.redisKeyPrefix);
  const rule = ruleSnapshot({ id: randomUUID(), query: "O'Neill", pin: [A] });
  await merchandising.putRule(rule);
  await merchandising.putSynonyms({
    version: 1,
    lines: ['never, seldom'],
    updatedAt: rule.updatedAt,
  });
  const after = await report();
  t.same(after.find((r) => r.query === "o'neill")?.coverage, {
    covered: true,
    synonyms: [],
    rules: [{ id: rule.id, version: 1, pins: 1, hides: 0 }],
  });
  t.same(after.find((r) => r.query === 'never')?.coverage.synonyms, ['seldom']);
  t.same(
    after.find((r) => r.query === 'jacket')?.coverage.covered,
    false,
    'the stored set replaced the initial one',
  );
  const top = await get(`${BASE}/searches/top?${qs(W)}`);
  t.same(
    top
      .json<Covered[]>()
      .find((r) => r.query === "o'neill")
      ?.coverage.rules.map((r) => r.id),
    [rule.id],
    'the top-queries report links the same way',
  );
});

t.test('GET /products/:id/price-history lists every price with its time', async (t) => {
  const res = await get(`${BASE}/products/${A}/price-history?${qs(W)}`);
  t.equal(res.statusCode, 200);
  t.same(res.json(), [
    { at: '2024-03-01T09:15:00Z', amountMinor: 1999, currency: 'EUR', version: 1, variantId: null },
    { at: '2024-03-01T10:00:00Z', amountMinor: 1799, currency: 'EUR', version: 3, variantId: null },
    { at: '2024-03-03T00:00:00Z', amountMinor: 1899, currency: 'EUR', version: 7, variantId: null },
  ]);
  const b = await get(`${BASE}/products/${B}/price-history?${qs(W)}`);
  t.same(
    b.json(),
    [
      {
        at: '2024-03-01T10:59:59Z',
        amountMinor: 500,
        currency: 'USD',
        version: 2,
        variantId: null,
      },
    ],
    'a product created without a price starts at its first price',
  );
  const upper = await get(`${BASE}/products/${A.toUpperCase()}/price-history?${qs(W)}`);
  t.same(upper.json(), res.json(), 'the id is case-insensitive');
  const narrow = await get(
    `${BASE}/products/${A}/price-history?${qs({ from: '2024-03-01T10:00:00Z', to: '2024-03-03T00:00:00Z' })}`,
  );
  t.same(narrow.json(), [
    { at: '2024-03-01T10:00:00Z', amountMinor: 1799, currency: 'EUR', version: 3, variantId: null },
  ]);
  const later = await get(
    `${BASE}/products/${A}/price-history?${qs({ from: '2024-03-08T00:00:00Z', to: '2024-04-01T00:00:00Z' })}`,
  );
  t.same(later.json(), [
    { at: '2024-03-09T00:00:00Z', amountMinor: 1500, currency: 'EUR', version: 9, variantId: null },
  ]);
  const unknown = await get(`${BASE}/products/${randomUUID()}/price-history?${qs(W)}`);
  t.equal(unknown.statusCode, 200);
  t.same(unknown.json(), []);
});

t.test('GET /products/:id/stock-history lists every movement with its reason', async (t) => {
  const res = await get(`${BASE}/products/${A}/stock-history?${qs(W)}`);
  t.equal(res.statusCode, 200);
  t.same(res.json(), [
    {
      at: '2024-03-01T09:45:00Z',
      warehouse: 'main',
      delta: 10,
      available: 10,
      reason: 'restock',
      version: 2,
      variantId: null,
    },
    {
      at: '2024-03-02T08:00:00Z',
      warehouse: 'main',
      delta: -3,
      available: 7,
      reason: 'sale',
      version: 4,
      variantId: null,
    },
    {
      at: '2024-03-03T00:00:00Z',
      warehouse: 'east',
      delta: 5,
      available: 12,
      reason: "found in 'returns' \\ bin",
      version: 8,
      variantId: null,
    },
  ]);
  const b = await get(`${BASE}/products/${B}/stock-history?${qs(W)}`);
  t.same(b.json(), [
    {
      at: '2024-03-01T11:00:00Z',
      warehouse: 'main',
      delta: 4,
      available: 4,
      reason: 'initial',
      version: 3,
      variantId: null,
    },
  ]);
  const none = await get(`${BASE}/products/${C}/stock-history?${qs(W)}`);
  t.same(none.json(), []);
});

const price = (at: string, amountMinor: number, version: number, variantId: string | null) => ({
  at,
  amountMinor,
  currency: 'EUR',
  version,
  variantId,
});

t.test('Price history lists the product-level prices and every variant price', async (t) => {
  const res = await get(`${BASE}/products/${VA}/price-history?${qs(WV)}`);
  t.equal(res.statusCode, 200);
  t.same(res.json(), [
    price('2024-07-01T08:00:00Z', 1000, 1, null),
    price('2024-07-01T08:30:00Z', 1100, 2, null),
    price('2024-07-01T09:00:00Z', 1999, 4, va1),
    price('2024-07-01T09:30:00Z', 2499, 5, va2),
    price('2024-07-02T08:00:00Z', 2299, 7, va2),
    price('2024-07-03T00:00:00Z', 999, 10, va3),
  ]);
  const one = await get(`${BASE}/products/${VA}/price-history?${qs({ ...WV, variantId: va2 })}`);
  t.same(one.json(), [
    price('2024-07-01T09:30:00Z', 2499, 5, va2),
    price('2024-07-02T08:00:00Z', 2299, 7, va2),
  ]);
  const later = await get(
    `${BASE}/products/${VA}/price-history?${qs({ from: WV.from, to: '2024-07-10T00:00:00Z', variantId: va1.toUpperCase() })}`,
  );
  t.same(
    later.json(),
    [price('2024-07-01T09:00:00Z', 1999, 4, va1), price('2024-07-09T00:00:00Z', 1500, 12, va1)],
    'the variant id is case-insensitive; the window applies',
  );
  const created = await get(`${BASE}/products/${VB}/price-history?${qs(WV)}`);
  t.same(
    created.json(),
    [price('2024-07-05T12:00:00Z', 3000, 1, vb1), price('2024-07-05T12:00:00Z', 2800, 1, vb3)],
    'a product created with variants starts each priced variant at its first price',
  );
  const other = await get(`${BASE}/products/${VB}/price-history?${qs({ ...WV, variantId: va1 })}`);
  t.same(other.json(), [], "another product's variant has no rows here");
});

t.test('Stock history lists product-level and variant movements', async (t) => {
  const res = await get(`${BASE}/products/${VA}/stock-history?${qs(WV)}`);
  t.equal(res.statusCode, 200);
  const movement = (
    at: string,
    delta: number,
    available: number,
    reason: string,
    version: number,
    variantId: string | null,
  ) => ({ at, warehouse: 'main', delta, available, reason, version, variantId });
  t.same(res.json(), [
    movement('2024-07-01T08:45:00Z', 4, 4, 'initial', 3, null),
    movement('2024-07-01T10:00:00Z', 8, 8, 'restock', 6, va1),
    movement('2024-07-03T00:00:00Z', -2, 6, 'sale', 9, va1),
  ]);
  const one = await get(`${BASE}/products/${VA}/stock-history?${qs({ ...WV, variantId: va1 })}`);
  t.same(one.json(), res.json<unknown[]>().slice(1), 'only the variant');
  const none = await get(`${BASE}/products/${VA}/stock-history?${qs({ ...WV, variantId: va2 })}`);
  t.same(none.json(), []);
  const [stored] = await select<{ n: unknown }>(
    ch,
    sql`SELECT count() AS n FROM catalog_events FINAL WHERE product_id = toUUID(${VA}) AND isNotNull(stock_delta)`,
  );
  t.equal(toNumber(stored?.n), 1, 'a variant move is not a product-level row of catalog_events');
});

t.test('GET /catalog/changes counts distinct events per type and bucket', async (t) => {
  const days = await get(`${BASE}/catalog/changes?${qs({ interval: 'day', ...W })}`);
  t.equal(days.statusCode, 200);
  t.same(days.json(), [
    { bucket: '2024-03-01T00:00:00Z', eventType: 'ProductCreated', changes: 2 },
    { bucket: '2024-03-01T00:00:00Z', eventType: 'ProductPriceChanged', changes: 2 },
    { bucket: '2024-03-01T00:00:00Z', eventType: 'ProductStockAdjusted', changes: 2 },
    { bucket: '2024-03-02T00:00:00Z', eventType: 'ProductDetailsChanged', changes: 1 },
    { bucket: '2024-03-02T00:00:00Z', eventType: 'ProductPublished', changes: 1 },
    { bucket: '2024-03-02T00:00:00Z', eventType: 'ProductStockAdjusted', changes: 1 },
    { bucket: '2024-03-03T00:00:00Z', eventType: 'ProductPriceChanged', changes: 1 },
    { bucket: '2024-03-03T00:00:00Z', eventType: 'ProductStockAdjusted', changes: 1 },
  ]);
  const hours = await get(`${BASE}/catalog/changes?${qs({ interval: 'hour', ...W })}`);
  const expectedHours = [
    { bucket: '2024-03-01T09:00:00Z', eventType: 'ProductCreated', changes: 2 },
    { bucket: '2024-03-01T09:00:00Z', eventType: 'ProductStockAdjusted', changes: 1 },
    { bucket: '2024-03-01T10:00:00Z', eventType: 'ProductPriceChanged', changes: 2 },
    { bucket: '2024-03-01T11:00:00Z', eventType: 'ProductStockAdjusted', changes: 1 },
    { bucket: '2024-03-02T08:00:00Z', eventType: 'ProductDetailsChanged', changes: 1 },
    { bucket: '2024-03-02T08:00:00Z', eventType: 'ProductStockAdjusted', changes: 1 },
    { bucket: '2024-03-02T23:00:00Z', eventType: 'ProductPublished', changes: 1 },
    { bucket: '2024-03-03T00:00:00Z', eventType: 'ProductPriceChanged', changes: 1 },
    { bucket: '2024-03-03T00:00:00Z', eventType: 'ProductStockAdjusted', changes: 1 },
  ];
  t.same(hours.json(), expectedHours);
  const byDefault = await get(`${BASE}/catalog/changes?${qs(W)}`);
  t.same(byDefault.json(), expectedHours, 'interval defaults to hour');

  // Computed from the rows as well: distinct events per (UTC hour, type), window applied.
  const reference = new Map<string, Set<string>>();
  for (const row of [...catalogRows, ...catalogRetries]) {
    const at = ms(row['occurred_at'] as string);
    if (at < ms(W.from) || at >= ms(W.to)) continue;
    const key = `${isoZ(Math.floor(at / HOUR) * HOUR)}|${row['event_type'] as string}`;
    reference.set(key, (reference.get(key) ?? new Set()).add(row['event_id'] as string));
  }
  t.same(
    hours.json(),
    [...reference]
      .map(([key, ids]) => {
        const [bucket = '', eventType = ''] = key.split('|');
        return { bucket, eventType, changes: ids.size };
      })
      .sort((a, b) => byText(a.bucket, b.bucket) || byText(a.eventType, b.eventType)),
  );

  const tail = await get(
    `${BASE}/catalog/changes?${qs({ interval: 'hour', from: '2024-03-01T10:30:00Z', to: '2024-03-01T11:00:00Z' })}`,
  );
  t.same(
    tail.json(),
    [{ bucket: '2024-03-01T10:00:00Z', eventType: 'ProductPriceChanged', changes: 1 }],
    'a bucket is labelled by its hour but counts only events inside the window',
  );
  const long = await get(
    `${BASE}/catalog/changes?${qs({ interval: 'day', from: '2024-01-01T00:00:00Z', to: '2024-06-01T00:00:00Z' })}`,
  );
  t.equal(long.statusCode, 200, 'daily buckets may span months');
  t.equal(long.json<unknown[]>().length, 10, 'including the events before and after W');
});

// ------------------------------------------------------------------ auth, validation, injection

const id = A;
const routes = [
  `${BASE}/products/top`,
  `${BASE}/searches/top`,
  `${BASE}/searches/zero-results`,
  `${BASE}/products/${id}/price-history`,
  `${BASE}/products/${id}/stock-history`,
  `${BASE}/catalog/changes`,
];

t.test('Every route needs a valid bearer token', async (t) => {
  for (const route of routes) {
    for (const token of [null, 'wrong-token-0000000000', '', `${TOKEN}x`]) {
      const res = await get(route, token);
      t.equal(res.statusCode, 401, `${route} with ${String(token)}`);
      t.match(res.headers['content-type'], /application\/problem\+json/);
      t.match(res.headers['www-authenticate'], /Bearer realm="aisle-analytics"/);
    }
    const basic = await app.inject({ url: route, headers: { authorization: `Basic ${TOKEN}` } });
    t.equal(basic.statusCode, 401);
    const ok = await get(route);
    t.equal(ok.statusCode, 200, `${route} with the token`);
  }
  const health = await app.inject({ url: '/health/ready' });
  t.equal(health.statusCode, 200, 'health stays public');
  t.match(health.json(), { checks: { clickhouse: { status: 'up' } } });
});

t.test('Bad parameters are 400 problems naming the field', async (t) => {
  const cases: [string, string][] = [
    [`${BASE}/products/top?metric=sales`, 'querystring.metric'],
    [`${BASE}/products/top?limit=0`, 'querystring.limit'],
    [`${BASE}/products/top?limit=101`, 'querystring.limit'],
    [`${BASE}/products/top?limit=ten`, 'querystring.limit'],
    [`${BASE}/products/top?limit=1.5`, 'querystring.limit'],
    [`${BASE}/products/top?limit=-1`, 'querystring.limit'],
    [`${BASE}/products/top?limit=1&limit=2`, 'querystring.limit'],
    [`${BASE}/searches/top?limit=1000`, 'querystring.limit'],
    [`${BASE}/searches/zero-results?limit=`, 'querystring.limit'],
    [`${BASE}/products/top?from=yesterday`, 'querystring.from'],
    [`${BASE}/products/top?from=2024-03-01`, 'querystring.from'],
    [`${BASE}/products/top?from=2024-02-30T00:00:00Z`, 'querystring.from'],
    [`${BASE}/products/top?to=2024-03-01T00:00:00`, 'querystring.to'],
    [`${BASE}/products/top?from=2024-03-02T00:00:00Z&to=2024-03-01T00:00:00Z`, 'querystring.from'],
    [`${BASE}/searches/top?from=2024-03-01T00:00:00Z&to=2024-03-01T00:00:00Z`, 'querystring.from'],
    [`${BASE}/searches/top?from=2022-01-01T00:00:00Z&to=2024-01-01T00:00:00Z`, 'querystring.to'],
    [
      `${BASE}/searches/zero-results?from=1960-01-01T00:00:00Z&to=1960-01-02T00:00:00Z`,
      'querystring.to',
    ],
    [`${BASE}/catalog/changes?interval=week`, 'querystring.interval'],
    [
      `${BASE}/catalog/changes?interval=hour&from=2024-01-01T00:00:00Z&to=2024-02-15T00:00:00Z`,
      'querystring.to',
    ],
    [`${BASE}/products/top?foo=bar`, 'querystring.foo'],
    [`${BASE}/products/not-a-uuid/price-history`, 'params.id'],
    [`${BASE}/products/urn:uuid:${id}/price-history`, 'params.id'],
    [`${BASE}/products/${id.replaceAll('-', '')}/stock-history`, 'params.id'],
    [`${BASE}/products/${id}x/stock-history`, 'params.id'],
    [`${BASE}/products/${id}/price-history?limit=5`, 'querystring.limit'],
    [`${BASE}/products/${id}/price-history?variantId=not-a-uuid`, 'querystring.variantId'],
    [`${BASE}/products/${id}/stock-history?variantId=urn:uuid:${id}`, 'querystring.variantId'],
    [`${BASE}/products/${id}/stock-history?variantId=`, 'querystring.variantId'],
    [
      `${BASE}/products/${id}/stock-history?variantId=${id}&variantId=${id}`,
      'querystring.variantId',
    ],
  ];
  for (const [url, field] of cases) {
    const res = await get(url);
    t.equal(res.statusCode, 400, url);
    t.match(res.headers['content-type'], /application\/problem\+json/);
    const body = res.json<{ code: string; errors?: { field: string }[] }>();
    t.equal(body.code, 'validation_failed');
    t.ok(
      body.errors?.some((e) => e.field === field),
      `${url} names ${field}: ${JSON.stringify(body.errors)}`,
    );
  }
});

const hostile = [
  "' OR 1=1 --",
  "'); DROP TABLE product_views; --",
  "2024-03-01T00:00:00Z' OR '1'='1",
  "\\'",
  '\\',
  "\\\\''",
  '"; SELECT 1; --',
  'x\u0000y',
  '\r\n\t',
  'üñí 💥 日本',
  '1 UNION ALL SELECT 1',
  '10; DROP DATABASE x',
  "'".repeat(3000),
  'a'.repeat(20_000),
];

t.test('Hostile values in every parameter are 400s, never 5xx, and change nothing', async (t) => {
  const paramsOf: Record<string, string[]> = {
    [`${BASE}/products/top`]: ['metric', 'from', 'to', 'limit', 'unknown'],
    [`${BASE}/searches/top`]: ['from', 'to', 'limit', 'unknown'],
    [`${BASE}/searches/zero-results`]: ['from', 'to', 'limit', 'unknown'],
    [`${BASE}/products/${id}/price-history`]: ['from', 'to', 'variantId', 'unknown'],
    [`${BASE}/products/${id}/stock-history`]: ['from', 'to', 'variantId', 'unknown'],
    [`${BASE}/catalog/changes`]: ['interval', 'from', 'to', 'unknown'],
  };
  let requests = 0;
  for (const value of hostile) {
    for (const [route, params] of Object.entries(paramsOf)) {
      for (const param of params) {
        const url = `${route}?${qs({ [param]: value })}`;
        const res = await get(url);
        requests++;
        t.equal(res.statusCode, 400, `${param}=${label(value)} on ${route}`);
        t.notMatch(res.body, /DB::Exception|ClickHouse/i, 'no store error leaks');
      }
    }
    for (const history of ['price-history', 'stock-history']) {
      const url = `${BASE}/products/${encodeURIComponent(value)}/${history}`;
      const res = await get(url);
      requests++;
      t.ok(res.statusCode < 500, `id=${label(value)} on ${history}: ${res.statusCode}`);
      // The router itself refuses path parameters over 100 characters (414) before any route.
      const expected = encodeURIComponent(value).length > 100 ? 414 : 400;
      t.equal(res.statusCode, expected);
    }
  }
  t.ok(requests > 300, `${requests} hostile requests`);

  t.same(await tableCounts(), countsAfterLoad, 'every table still holds exactly its rows');
  const names = await select<{ name: string }>(
    ch,
    sql`SELECT name FROM system.tables WHERE database = ${config.clickhouseDatabase} ORDER BY name`,
  );
  t.same(
    names.map((r) => r.name),
    [
      'catalog_events',
      'product_views',
      'schema_migrations',
      'storefront_searches',
      'variant_history',
    ],
  );
  const again = await get(`${BASE}/products/top?${qs(W)}`);
  t.same(again.json(), expectedTopViews(W.from, W.to, 10), 'answers unchanged');
});

t.test('literal() round-trips every hostile string through ClickHouse unchanged', async (t) => {
  const allAscii = Array.from({ length: 128 }, (_, i) => String.fromCharCode(i)).join('');
  const values = [
    ...hostile,
    allAscii,
    '',
    "'",
    "''",
    '\\0',
    '\\x41',
    '\u2028',
    '𝄞',
    'Ω'.repeat(5000),
  ];
  for (const value of values) {
    const [row] = await select<{ v: string; bytes: unknown }>(
      ch,
      sql`SELECT ${value} AS v, length(${value}) AS bytes`,
    );
    t.equal(row?.v, value, `round trip of ${label(value)}`);
    t.equal(toNumber(row?.bytes), Buffer.byteLength(value, 'utf8'));
  }
  const [cmp] = await select<{ eq: unknown }>(
    ch,
    sql`SELECT ${"a'b"} = concat('a', unhex('27'), 'b') AS eq`,
  );
  t.equal(toNumber(cmp?.eq), 1);
  const when = new Date('2024-03-01T10:20:30Z');
  const [time] = await select<{ s: unknown; n: unknown }>(
    ch,
    sql`SELECT toUnixTimestamp(${when}) AS s, ${Number.MAX_SAFE_INTEGER} AS n`,
  );
  t.equal(toNumber(time?.s) * 1000, when.getTime(), 'dates are UTC whatever the server zone');
  t.equal(toNumber(time?.n), Number.MAX_SAFE_INTEGER);
  t.equal(literal(when), "toDateTime('2024-03-01 10:20:30', 'UTC')");
});

t.test('Queries run read-only: even a statement written in code cannot change data', async (t) => {
  await t.rejects(
    select(ch, sql`CREATE TABLE should_not_exist (x UInt8) ENGINE = Memory`),
    /readonly/i,
  );
  await t.rejects(select(ch, sql`DROP TABLE product_views`), /readonly/i);
  t.same(await tableCounts(), countsAfterLoad);
});

t.test('OpenAPI documents the six routes with tags and bearer security', async (t) => {
  const res = await app.inject({ url: '/docs/json' });
  t.equal(res.statusCode, 200);
  const paths = res.json<{
    paths: Record<string, Record<string, { tags?: string[]; security?: unknown[] }>>;
  }>().paths;
  for (const path of [
    '/analytics/v1/products/top',
    '/analytics/v1/searches/top',
    '/analytics/v1/searches/zero-results',
    '/analytics/v1/products/{id}/price-history',
    '/analytics/v1/products/{id}/stock-history',
    '/analytics/v1/catalog/changes',
  ]) {
    const op = paths[path]?.['get'];
    t.ok(op, path);
    t.ok(op?.tags?.length, `${path} has tags`);
    t.same(op?.security, [{ bearer: [] }], `${path} needs the bearer token`);
  }
});

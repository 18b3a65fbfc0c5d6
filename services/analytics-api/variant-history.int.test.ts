import { openRedis } from '../../shared/stores/redis.js';
// Per-variant price and stock history from real write-side events: a product created with
// variants, a variant price change and stock moves, through the analytics projection (applied
// twice, as a retried delivery would) into ClickHouse, read through the analytics API.
import t from 'tap';
import type { CatalogEvent } from '../../shared/events/catalog-events.js';
import { analyticsProjection } from '../../shared/read-models/analytics/projection.js';
import { bootstrapClickHouse } from '../../shared/read-models/analytics/tables.js';
import { clickhouseFromConfig, clickhouseOptions } from '../../shared/stores/open.js';
import { writeHarness } from '../../test/support/catalog-write.js';
import { isolatedConfig } from '../../test/support/isolation.js';
import { silentLogger } from '../../test/support/logger.js';
import { buildAnalyticsApiApp } from './app.js';

const config = isolatedConfig(t);
const h = await writeHarness(t, config);
await bootstrapClickHouse(clickhouseOptions(config));
const clickhouse = clickhouseFromConfig(config);
const app = await buildAnalyticsApiApp({
  config,
  logger: silentLogger,
  clickhouse,
  redis: openRedis(config.redisUrl),
});
t.teardown(() => app.close());

const eur = (amountMinor: number) => ({ amountMinor, currency: 'EUR' });
async function admin(method: 'POST' | 'PUT', url: string, payload: object) {
  const res = await h.admin({ method, url, payload });
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.body}`);
  return res.json<{ id: string }>();
}

t.test('Variant prices and stock moves are history rows of their variant', async (t) => {
  const { id } = await admin('POST', '/admin/v1/products', {
    sku: 'HIST',
    name: 'Tee',
    brand: 'Acme',
    attributes: {},
    options: ['size'],
    variants: [
      { sku: 'HIST-M', options: { size: 'M' }, price: eur(1500) },
      { sku: 'HIST-L', options: { size: 'L' }, price: eur(1600) },
    ],
  });
  const got = await h.admin({ method: 'GET', url: `/admin/v1/products/${id}` });
  const [m, l] = got.json<{ variants: { id: string }[] }>().variants.map((v) => v.id);
  const variant = `/admin/v1/products/${id}/variants`;
  await admin('PUT', `${variant}/${m ?? ''}/price`, eur(1400));
  await admin('POST', `${variant}/${l ?? ''}/stock-adjustments`, {
    warehouse: 'main',
    delta: 5,
    reason: 'delivery',
  });
  await admin('POST', `${variant}/${l ?? ''}/stock-adjustments`, {
    warehouse: 'main',
    delta: -2,
    reason: 'sale',
  });

  const events = (await h.outboxEvents(id)).map((row) => row.payload as unknown as CatalogEvent);
  const projection = analyticsProjection(clickhouse.client, { maxItems: 3, maxWaitMs: 5 });
  for (const event of [...events, ...events]) await projection.apply(event);
  await projection.drain();

  const get = async (path: string) => {
    const res = await app.inject({
      url: `/analytics/v1/products/${id}/${path}`,
      headers: { authorization: 'Bearer analytics-token-for-tests-01' },
    });
    t.equal(res.statusCode, 200, path);
    return res.json<Record<string, unknown>[]>();
  };
  const prices = await get('price-history');
  // Rows of one version come in variant id order.
  const created = [
    { amountMinor: 1500, version: 1, variantId: m },
    { amountMinor: 1600, version: 1, variantId: l },
  ].sort((a, b) => (String(a.variantId) < String(b.variantId) ? -1 : 1));
  t.match(prices, [...created, { amountMinor: 1400, version: 2, variantId: m }]);
  t.equal(prices.length, 3, 'each row once, though every event was delivered twice');
  t.match(await get(`price-history?variantId=${m ?? ''}`), [
    { amountMinor: 1500, variantId: m },
    { amountMinor: 1400, variantId: m },
  ]);
  t.match(await get('stock-history'), [
    { delta: 5, available: 5, reason: 'delivery', warehouse: 'main', version: 3, variantId: l },
    { delta: -2, available: 3, reason: 'sale', warehouse: 'main', version: 4, variantId: l },
  ]);
  t.same(await get(`stock-history?variantId=${m ?? ''}`), []);
});

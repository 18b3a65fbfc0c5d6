import { randomUUID } from 'node:crypto';
import t from 'tap';
import { isolatedConfig } from '../../test/support/isolation.js';
import { openClickHouse } from './clickhouse.js';
import { clickhouseOptions } from './open.js';
import { bootstrapClickHouse } from '../read-models/analytics/tables.js';

t.test('When bootstrap runs twice, then the tables exist and each file applied once', async (t) => {
  const config = isolatedConfig(t);
  const first = await bootstrapClickHouse(clickhouseOptions(config));
  t.same(first.applied, ['0001_catalog_events', '0002_storefront_usage', '0003_variant_history']);
  const second = await bootstrapClickHouse(clickhouseOptions(config));
  t.same(second.applied, []);

  const ch = openClickHouse(clickhouseOptions(config));
  t.teardown(() => ch.close());
  await ch.ping();
  const result = await ch.client.query({
    query: `SELECT name FROM system.tables WHERE database = '${config.clickhouseDatabase}' ORDER BY name`,
    format: 'JSONEachRow',
  });
  t.same(
    (await result.json<{ name: string }>()).map((r) => r.name),
    [
      'catalog_events',
      'product_views',
      'schema_migrations',
      'storefront_searches',
      'variant_history',
    ],
  );
});

t.test('When an event is inserted twice (a retried batch), then reads count it once', async (t) => {
  const config = isolatedConfig(t);
  await bootstrapClickHouse(clickhouseOptions(config));
  const ch = openClickHouse(clickhouseOptions(config));
  t.teardown(() => ch.close());
  const row = {
    event_id: randomUUID(),
    event_type: 'PriceChanged',
    product_id: randomUUID(),
    version: 3,
    occurred_at: '2026-11-23T05:07:48.123Z',
    sku: 'SKU-1',
    status: 'published',
    price_minor: 1999,
    currency: 'EUR',
  };
  for (let attempt = 0; attempt < 2; attempt++) {
    await ch.client.insert({ table: 'catalog_events', values: [row], format: 'JSONEachRow' });
  }
  const result = await ch.client.query({
    query: 'SELECT count() AS rows, uniqExact(event_id) AS events FROM catalog_events FINAL',
    format: 'JSONEachRow',
  });
  const [counts] = await result.json<{ rows: string; events: string }>();
  t.equal(Number(counts?.rows), 1);
  t.equal(Number(counts?.events), 1);
});

t.test('When ClickHouse is unreachable, then ping fails', async (t) => {
  const ch = openClickHouse({ url: 'http://127.0.0.1:1', username: 'default' });
  t.teardown(() => ch.close());
  await t.rejects(ch.ping());
});

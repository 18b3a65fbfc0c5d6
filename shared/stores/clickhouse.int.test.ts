import { randomUUID } from 'node:crypto';
import { copyFile, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { isolatedConfig } from '../../test/support/isolation.js';
import { applyClickHouseDdl, openClickHouse } from './clickhouse.js';
import { clickhouseOptions } from './open.js';
import { analyticsTablesDir, bootstrapClickHouse } from '../read-models/analytics/tables.js';

t.test('When bootstrap runs twice, then the tables exist and each file applied once', async (t) => {
  const config = isolatedConfig(t);
  const first = await bootstrapClickHouse(clickhouseOptions(config));
  t.same(first.applied, [
    '0001_catalog_events',
    '0002_storefront_usage',
    '0003_variant_history',
    '0004_product_view_counts',
  ]);
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

t.test(
  'When views are added to product_views, then older rows count one view and re-running the ALTER is harmless',
  async (t) => {
    const config = isolatedConfig(t);
    const options = clickhouseOptions(config);
    // The tables as they were before 0004: a row recorded one per view, without a count.
    const before = await mkdtemp(join(tmpdir(), 'aisle-ddl-'));
    t.teardown(() => rm(before, { recursive: true, force: true }));
    for (const file of (await readdir(analyticsTablesDir)).filter((f) => f < '0004')) {
      await copyFile(join(analyticsTablesDir, file), join(before, file));
    }
    t.same((await applyClickHouseDdl(before, options)).applied.length, 3);
    const ch = openClickHouse(options);
    t.teardown(() => ch.close());
    const productId = randomUUID();
    const row = { occurred_at: '2026-11-23T05:07:48Z', product_id: productId };
    await ch.client.insert({
      table: 'product_views',
      values: [{ event_id: randomUUID(), ...row }],
      format: 'JSONEachRow',
    });

    t.same((await bootstrapClickHouse(options)).applied, ['0004_product_view_counts']);
    await ch.client.insert({
      table: 'product_views',
      values: [{ event_id: randomUUID(), ...row, views: 41 }],
      format: 'JSONEachRow',
    });
    const sum = async () => {
      const result = await ch.client.query({
        query: `SELECT sum(views) AS n FROM product_views FINAL WHERE product_id = '${productId}'`,
        format: 'JSONEachRow',
      });
      return Number((await result.json<{ n: string }>())[0]?.n);
    };
    t.equal(await sum(), 42, 'the row from before the column counts 1');

    // A second instance (or a run stopped before recording the file) applies 0004 again.
    const again = await mkdtemp(join(tmpdir(), 'aisle-ddl-'));
    t.teardown(() => rm(again, { recursive: true, force: true }));
    await copyFile(
      join(analyticsTablesDir, '0004_product_view_counts.sql'),
      join(again, '0005_product_view_counts_again.sql'),
    );
    t.same((await applyClickHouseDdl(again, options)).applied, ['0005_product_view_counts_again']);
    t.equal(await sum(), 42, 'the column and its rows unchanged');

    // An ALTER that fails for another reason still fails the bootstrap.
    const broken = await mkdtemp(join(tmpdir(), 'aisle-ddl-'));
    t.teardown(() => rm(broken, { recursive: true, force: true }));
    await writeFile(
      join(broken, '0006_broken.sql'),
      'ALTER TABLE {db}.no_such_table ADD COLUMN views UInt32 DEFAULT 1;\n',
    );
    await t.rejects(applyClickHouseDdl(broken, options), /no_such_table/);
  },
);

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

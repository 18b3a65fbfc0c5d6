// The three projections fed a real event history shuffled and duplicated (delivery is at least
// once and unordered) must end exactly equal to the write model.
import { randomUUID } from 'node:crypto';
import t from 'tap';
import { readProduct } from '../shared/write-model/products/commands.js';
import { analyticsProjection } from '../shared/read-models/analytics/projection.js';
import { detailProjection } from '../shared/read-models/detail/projection.js';
import { searchProjection } from '../shared/read-models/search/projection.js';
import type { CatalogEvent } from '../shared/events/catalog-events.js';
import {
  detailEtag,
  detailKeys,
  renderProductDetail,
} from '../shared/read-models/detail/document.js';
import { searchDocument } from '../shared/read-models/search/document.js';
import { openClickHouse } from '../shared/stores/clickhouse.js';
import { clickhouseOptions } from '../shared/stores/open.js';
import { openRedis } from '../shared/stores/redis.js';
import { bootstrapSearch } from '../shared/read-models/search/index-setup.js';
import { openSearch } from '../shared/stores/search/open.js';
import { sampleProduct, writeHarness } from './support/catalog-write.js';
import { isolatedConfig } from './support/isolation.js';
import { bootstrapClickHouse } from '../shared/read-models/analytics/tables.js';

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed;
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

t.test(
  'Shuffled and duplicated events leave every read model equal to the write model',
  async (t) => {
    const config = isolatedConfig(t);
    const h = await writeHarness(t, config);
    const search = openSearch(config);
    t.teardown(() => search.close());
    const { alias } = await bootstrapSearch(search.client, config.searchIndexPrefix);
    await bootstrapClickHouse(clickhouseOptions(config));
    const clickhouse = openClickHouse(clickhouseOptions(config));
    t.teardown(() => clickhouse.close());
    const redis = openRedis(config.redisUrl);
    t.teardown(() => redis.close());

    // a real history: two products through create, details, price, stock, publish, unpublish, delete
    const ids: string[] = [];
    for (const [n, lifecycle] of [
      ['keep', 'published'],
      ['gone', 'deleted'],
    ] as const) {
      const created = await h.admin({
        method: 'POST',
        url: '/admin/v1/products',
        payload: sampleProduct({ name: `Shoe ${n}` }),
      });
      const id = created.json<{ id: string }>().id;
      ids.push(id);
      const admin = (method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, payload?: object) =>
        h.admin({
          method,
          url: `/admin/v1/products/${id}${path}`,
          ...(payload ? { payload } : {}),
        });
      await admin('PUT', '/price', { amountMinor: 4999, currency: 'EUR' });
      await admin('POST', '/stock-adjustments', {
        warehouse: 'main',
        delta: 12,
        reason: 'delivery',
      });
      await admin('POST', '/publish');
      await admin('PATCH', '', { name: `Shoe ${n} v2`, attributes: { color: 'green' } });
      await admin('POST', '/stock-adjustments', { warehouse: 'main', delta: -2, reason: 'sale' });
      if (lifecycle === 'deleted') {
        await admin('POST', '/unpublish');
        await admin('DELETE', '');
      }
    }
    const history = (await h.outboxEvents()).map((row) => row.payload as unknown as CatalogEvent);
    t.equal(history.length, 14);
    const deliveries = shuffled([...history, ...history.slice(0, 6), ...history.slice(-4)], 7);

    const batch = { maxItems: 8, maxWaitMs: 5 };
    const projections = [
      detailProjection(redis.client, config.redisKeyPrefix),
      searchProjection(search.client, () => Promise.resolve([alias]), batch),
      analyticsProjection(clickhouse.client, batch),
    ];
    for (const projection of projections) {
      await Promise.all(deliveries.map((event) => projection.apply(event)));
    }
    await search.client.refresh(alias);

    const [keepId, goneId] = ids as [string, string];
    const keep = await readProduct(h.pool, keepId);
    const detail = await redis.client.hgetall(detailKeys.product(config.redisKeyPrefix, keepId));
    const body = renderProductDetail(keep);
    t.same(
      detail,
      { version: String(keep.version), etag: detailEtag(body), body },
      'detail holds the exact bytes',
    );
    const goneDetail = await redis.client.hgetall(
      detailKeys.product(config.redisKeyPrefix, goneId),
    );
    t.same(goneDetail, { version: '8', etag: '', body: '' }, 'a deleted product is a tombstone');

    const keepDoc = await search.client.getDocument(alias, keepId);
    t.equal(keepDoc?.version, keep.version);
    t.same(keepDoc?.source, searchDocument(keep));
    const goneDoc = await search.client.getDocument(alias, goneId);
    t.match(
      goneDoc,
      { version: 8, source: { visible: false } },
      'the search tombstone is not visible',
    );

    const result = await clickhouse.client.query({
      query:
        'SELECT product_id, uniqExact(event_id) AS events, max(version) AS version FROM catalog_events FINAL GROUP BY product_id ORDER BY version',
      format: 'JSONEachRow',
    });
    const rows = await result.json<{ product_id: string; events: string; version: string }>();
    t.same(
      rows.map((r) => [r.product_id, Number(r.events), Number(r.version)]),
      [
        [keepId, 6, 6],
        [goneId, 8, 8],
      ],
    );
    const counted = await clickhouse.client.query({
      query: 'SELECT count() AS n FROM catalog_events FINAL',
      format: 'JSONEachRow',
    });
    t.equal(Number((await counted.json<{ n: string }>())[0]?.n), 14, 'duplicates collapse on read');

    // an old event arriving after the delete must not bring the product back
    const stale = history.find(
      (e) => e.aggregate === 'product' && e.productId === goneId && e.type === 'ProductPublished',
    );
    t.ok(stale);
    for (const projection of projections.slice(0, 2)) await projection.apply(stale as CatalogEvent);
    t.equal(await redis.client.hget(detailKeys.product(config.redisKeyPrefix, goneId), 'body'), '');
    await search.client.refresh(alias);
    t.match(await search.client.getDocument(alias, goneId), {
      version: 8,
      source: { visible: false },
    });
  },
);

t.test(
  'Category events build the category read model without ever lowering a version',
  async (t) => {
    const config = isolatedConfig(t);
    const redis = openRedis(config.redisUrl);
    t.teardown(() => redis.close());
    const projection = detailProjection(redis.client, config.redisKeyPrefix);
    const id = randomUUID();
    const event = (version: number, name: string): CatalogEvent => ({
      aggregate: 'category',
      eventId: randomUUID(),
      type: version === 1 ? 'CategoryCreated' : 'CategoryChanged',
      categoryId: id,
      version,
      occurredAt: new Date().toISOString(),
      correlationId: null,
      snapshot: { id, slug: 'shoes', name, parentId: null, createdAt: '', updatedAt: '', version },
      changes: { fields: ['name'] },
    });
    t.equal(await projection.apply(event(2, 'Shoes v2')), true);
    t.equal(await projection.apply(event(1, 'Shoes')), false, 'the older event is a no-op');
    t.equal(await projection.apply(event(2, 'Shoes v2')), false, 'so is a duplicate');
    const stored = JSON.parse(
      (await redis.client.hget(detailKeys.categories(config.redisKeyPrefix), id)) ?? '{}',
    ) as { name: string };
    t.equal(stored.name, 'Shoes v2');
  },
);

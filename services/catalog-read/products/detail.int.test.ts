import type { Queue } from 'bullmq';
import t from 'tap';
import type { UsageBatch } from '../../../shared/events/usage-events.js';
import { detailKeys, renderProductDetail } from '../../../shared/read-models/detail/document.js';
import { openQueues } from '../../../shared/stores/queues.js';
import { openRedis } from '../../../shared/stores/redis.js';
import { openSearch } from '../../../shared/stores/search/open.js';
import { sampleProduct } from '../../../test/support/catalog-write.js';
import type { Teardowns } from '../../../test/support/isolation.js';
import { silentLogger } from '../../../test/support/logger.js';
import { startPipeline, type Pipeline } from '../../../test/support/pipeline.js';
import { startReadSide } from '../../../test/support/read-side.js';
import { waitFor } from '../../../test/support/wait.js';
import { readProduct } from '../../../shared/write-model/products/commands.js';
import { buildCatalogReadApp } from '../app.js';
import { QueueUsageRecorder } from '../usage/queue-recorder.js';

async function readApp(t: Teardowns, p: Pipeline) {
  const queues = openQueues(p.config.redisUrl, p.config.redisKeyPrefix, ['usage']);
  t.teardown(() => queues.close());
  const app = await buildCatalogReadApp({
    config: p.config,
    logger: silentLogger,
    search: openSearch(p.config),
    redis: openRedis(p.config.redisUrl),
    usage: (registry) =>
      new QueueUsageRecorder({
        queue: queues.client.usage as Queue<UsageBatch>,
        registry,
        flushEveryMs: 50,
      }),
  });
  t.teardown(() => app.close());
  return app;
}

async function published(p: Pipeline, overrides: Record<string, unknown> = {}) {
  const res = await p.write.admin({
    method: 'POST',
    url: '/admin/v1/products',
    payload: sampleProduct({
      status: 'published',
      price: { amountMinor: 2599, currency: 'EUR' },
      ...overrides,
    }),
  });
  return res.json<{ id: string; version: number }>();
}

t.test('Detail serves the pre-rendered bytes with ETag, 304 and Cache-Control', async (t) => {
  const p = await startPipeline(t);
  const app = await readApp(t, p);
  const { id } = await published(p);
  const res = await waitFor('the detail document', async () => {
    const r = await app.inject({ method: 'GET', url: `/v1/products/${id}` });
    return r.statusCode === 200 ? r : undefined;
  });
  t.equal(
    res.body,
    renderProductDetail(await readProduct(p.write.pool, id)),
    'exactly the rendered bytes',
  );
  t.match(res.headers['content-type'], /^application\/json/);
  t.match(res.headers['cache-control'], /^public, max-age=\d+$/);
  const etag = res.headers.etag as string;
  t.match(etag, /^"[\w-]+"$/);
  const again = await app.inject({
    method: 'GET',
    url: `/v1/products/${id}`,
    headers: { 'if-none-match': etag },
  });
  t.equal(again.statusCode, 304);
  t.equal(again.body, '');
});

t.test('Unknown, unpublished and malformed ids', async (t) => {
  const p = await startPipeline(t);
  const app = await readApp(t, p);
  const { id } = await published(p);
  const unpublished = await p.write.admin({
    method: 'POST',
    url: `/admin/v1/products/${id}/unpublish`,
  });
  const version = unpublished.json<{ version: number }>().version;
  const gone = await app.inject({ method: 'GET', url: `/v1/products/${id}?minVersion=${version}` });
  t.equal(
    gone.statusCode,
    404,
    'an unpublished product is not found, once the read model has its version',
  );
  t.equal(
    (await app.inject({ method: 'GET', url: `/v1/products/${crypto.randomUUID()}` })).statusCode,
    404,
  );
  t.equal((await app.inject({ method: 'GET', url: "/v1/products/x'%20OR%201=1" })).statusCode, 400);
  t.equal(
    (await app.inject({ method: 'GET', url: `/v1/products/${id}?minVersion=abc` })).statusCode,
    400,
  );
  const header = await app.inject({
    method: 'GET',
    url: `/v1/products/${id}`,
    headers: { 'x-aisle-min-version': 'abc' },
  });
  t.equal(header.statusCode, 400);
});

t.test('minVersion waits for the projector and then answers the new version', async (t) => {
  const p = await startPipeline(t);
  const app = await readApp(t, p);
  const { id } = await published(p);
  const changed = await p.write.admin({
    method: 'PUT',
    url: `/admin/v1/products/${id}/price`,
    payload: { amountMinor: 1999, currency: 'EUR' },
  });
  const version = Number(changed.headers['x-aisle-version']);
  const res = await app.inject({
    method: 'GET',
    url: `/v1/products/${id}`,
    headers: { 'x-aisle-min-version': String(version) },
  });
  t.equal(res.statusCode, 200);
  t.match(res.json(), { version, price: { amountMinor: 1999 } });
});

t.test('When the version never arrives, then 503 with Retry-After within the bound', async (t) => {
  const p = await startPipeline(t, { READ_YOUR_WRITES_TIMEOUT_MS: '300' });
  const app = await readApp(t, p);
  const { id } = await published(p);
  const started = Date.now();
  const res = await app.inject({ method: 'GET', url: `/v1/products/${id}?minVersion=999` });
  t.equal(res.statusCode, 503);
  t.equal(res.headers['retry-after'], '1');
  t.equal(res.json().code, 'unavailable');
  t.ok(Date.now() - started < 2000, 'answered near the bound');
});

t.test('Categories come as a tree with published product counts rolled up', async (t) => {
  const p = await startPipeline(t);
  const app = await readApp(t, p);
  const category = async (slug: string, parentId?: string) =>
    (
      await p.write.admin({
        method: 'POST',
        url: '/admin/v1/categories',
        payload: { slug, name: slug, ...(parentId ? { parentId } : {}) },
      })
    ).json<{ id: string }>().id;
  const shoes = await category('shoes');
  const running = await category('running', shoes);
  const trail = await category('trail', running);
  await published(p, { categoryId: trail });
  await published(p, { categoryId: trail });
  await published(p, { categoryId: running });
  await p.write.admin({
    method: 'POST',
    url: '/admin/v1/products',
    payload: sampleProduct({ categoryId: shoes }),
  });
  const tree = await waitFor('counts in the tree', async () => {
    await p.search.client.refresh(p.alias);
    const res = await app.inject({ method: 'GET', url: '/v1/categories' });
    const body = res.json<{ categories: { productCount: number }[] }>();
    return body.categories[0]?.productCount === 3 ? body : undefined;
  });
  t.match(tree, {
    categories: [
      {
        slug: 'shoes',
        productCount: 3,
        children: [
          {
            slug: 'running',
            productCount: 3,
            children: [{ slug: 'trail', productCount: 2, children: [] }],
          },
        ],
      },
    ],
  });
});

t.test('Product views travel through the queue into ClickHouse', async (t) => {
  const p = await startPipeline(t);
  const app = await readApp(t, p);
  const { id } = await published(p);
  await waitFor('the detail document', async () =>
    (await app.inject({ method: 'GET', url: `/v1/products/${id}` })).statusCode === 200
      ? true
      : undefined,
  );
  await app.inject({ method: 'GET', url: `/v1/products/${id}` });
  await app.inject({ method: 'GET', url: `/v1/products/${id}` });
  await waitFor(
    'three views in ClickHouse',
    async () => {
      const result = await p.clickhouse.client.query({
        // Views are counted per product per flush: three views may be one event (or a few).
        query: `SELECT sum(views) AS n FROM product_views FINAL WHERE product_id = '${id}'`,
        format: 'JSONEachRow',
      });
      return Number((await result.json<{ n: string }>())[0]?.n) === 3 ? true : undefined;
    },
    20_000,
    100,
  );
  t.pass('views recorded off the request path reached analytics');
});

t.test('A HEAD answers like a GET without a body and is not a product view', async (t) => {
  const p = await startPipeline(t);
  const read = await startReadSide(t, p);
  const { id } = await published(p);
  const url = `/v1/products/${id}`;
  const head = () => read.app.inject({ method: 'HEAD', url });
  // The first HEADs read through Redis, the last one is a cache hit: neither path counts.
  const first = await waitFor('the detail document', async () => {
    const r = await head();
    return r.statusCode === 200 ? r : undefined;
  });
  const hit = await head();
  t.same([first.statusCode, hit.statusCode, hit.body], [200, 200, '']);
  t.equal(hit.headers.etag, first.headers.etag);
  t.same(read.views, [], 'no view recorded for a HEAD');
  await read.get(url);
  t.same(read.views, [id], 'a GET is one view');
});

/** The value of one series of the app's /metrics, 0 when absent. */
async function metric(app: Awaited<ReturnType<typeof readApp>>, series: string): Promise<number> {
  const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
  const line = text.split('\n').find((l) => l.startsWith(series));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

const HITS = 'aisle_detail_cache_lookups_total{outcome="hit",service="catalog-read"}';

t.test('A repeated read is a cache hit with the bytes and ETag Redis holds', async (t) => {
  const p = await startPipeline(t);
  const app = await readApp(t, p);
  const { id } = await published(p);
  const first = await waitFor('the detail document', async () => {
    const r = await app.inject({ method: 'GET', url: `/v1/products/${id}` });
    return r.statusCode === 200 ? r : undefined;
  });
  const hitsBefore = await metric(app, HITS);
  const again = await app.inject({ method: 'GET', url: `/v1/products/${id}` });
  t.equal(await metric(app, HITS), hitsBefore + 1, 'served from the cache');
  const [body, etag] = await p.redis.client.hmget(
    detailKeys.product(p.config.redisKeyPrefix, id),
    'body',
    'etag',
  );
  t.equal(again.body, body);
  t.equal(again.headers.etag, etag);
  t.same(
    { type: again.headers['content-type'], cache: again.headers['cache-control'] },
    { type: first.headers['content-type'], cache: first.headers['cache-control'] },
  );
  const notModified = await app.inject({
    method: 'GET',
    url: `/v1/products/${id}`,
    headers: { 'if-none-match': etag ?? '' },
  });
  t.equal(notModified.statusCode, 304, 'a hit answers If-None-Match too');
});

t.test(
  'After a cached read, a change is served once announced; minVersion waits for it',
  async (t) => {
    const p = await startPipeline(t);
    const app = await readApp(t, p);
    const { id, version } = await published(p);
    const url = `/v1/products/${id}`;
    await app.inject({ method: 'GET', url: `${url}?minVersion=${version}` });
    t.equal(
      (await app.inject({ method: 'GET', url })).json<{ version: number }>().version,
      version,
    );
    const changed = await p.write.admin({
      method: 'PUT',
      url: `/admin/v1/products/${id}/price`,
      payload: { amountMinor: 1234, currency: 'EUR' },
    });
    const next = Number(changed.headers['x-aisle-version']);
    const fresh = await app.inject({
      method: 'GET',
      url,
      headers: { 'x-aisle-min-version': `${next}` },
    });
    t.equal(fresh.statusCode, 200, 'the cached older version does not satisfy minVersion');
    t.match(fresh.json(), { version: next, price: { amountMinor: 1234 } });
    const plain = await waitFor('the cache to hold the new version', async () => {
      const r = await app.inject({ method: 'GET', url });
      return r.json<{ version: number }>().version === next ? r : undefined;
    });
    t.match(plain.json(), { price: { amountMinor: 1234 } });
    t.ok(
      (await metric(app, 'aisle_detail_cache_evictions_total{reason="announcement"')) >= 1,
      'the announcement evicted the older entry',
    );
  },
);

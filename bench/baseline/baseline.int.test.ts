// The CRUD baseline against the real Postgres, side by side with Aisle's read side on the same
// catalog: a demo catalog seeded through the import path (as `aisle seed` does), projected by
// the real pipeline, then searched on both. Filter-only searches must agree exactly.
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import t from 'tap';
import { detailKeys } from '../../shared/read-models/detail/document.js';
import { seedCatalog } from '../../shared/write-model/seed/seed.js';
import { seedCategories } from '../../shared/write-model/seed/seed-data.js';
import { ADMIN_TOKEN } from '../../test/support/catalog-write.js';
import { silentLogger } from '../../test/support/logger.js';
import { startPipeline } from '../../test/support/pipeline.js';
import { startReadSide } from '../../test/support/read-side.js';
import { waitFor } from '../../test/support/wait.js';
import { checkFilterParity, type Fetch } from '../lib/search-check.js';
import { buildBaselineApp, openBaselinePool } from './app.js';
import { ensureBaselineSchema } from './schema.js';

const SEED = 7;
const PRODUCTS = 400;

const pipeline = await startPipeline(t);
const { config, write } = pipeline;
await write.app.listen({ host: '127.0.0.1', port: 0 });
const { port } = write.app.server.address() as AddressInfo;
const silent = new Writable({ write: (_chunk, _encoding, done) => done() });
const report = await seedCatalog(
  {
    baseUrl: `http://127.0.0.1:${port}`,
    token: ADMIN_TOKEN,
    products: PRODUCTS,
    seed: SEED,
    publishedRatio: 0.9,
  },
  { output: { line: () => undefined, progress: () => undefined }, progressStream: silent },
);
if (report.accepted !== PRODUCTS) throw new Error(`only ${report.accepted} products imported`);

const { rows } = await write.pool.query<{ n: string }>(
  "SELECT count(*) AS n FROM products WHERE status = 'published'",
);
const published = Number(rows[0]?.n);
await waitFor(
  'the catalog to be searchable and the category tree in Redis',
  async () => {
    const answer = await pipeline.search.client.search(pipeline.alias, {
      size: 0,
      track_total_hits: true,
      query: { bool: { filter: [{ term: { visible: true } }] } },
    });
    const total = answer.hits.total;
    const visible = typeof total === 'number' ? total : total.value;
    const tree = await pipeline.redis.client.exists(detailKeys.categories(config.redisKeyPrefix));
    return visible === published && tree === 1 ? true : undefined;
  },
  60_000,
  200,
);

const aisle = await startReadSide(t, pipeline);
const postgres = openBaselinePool({
  url: config.databaseUrl,
  schema: config.databaseSchema,
  poolMax: 4,
  deadlineMs: config.storeRequestTimeoutMs,
});
const schemaReport = await ensureBaselineSchema(postgres.client, config.databaseSchema);
const baseline = await buildBaselineApp({
  logger: silentLogger,
  postgres,
  bodyLimitBytes: config.bodyLimitBytes,
  readinessTimeoutMs: config.readinessTimeoutMs,
});
t.teardown(() => baseline.close());

const aisleFetch: Fetch = async (path) => {
  const reply = await aisle.get(path);
  return { status: reply.statusCode, body: reply.body };
};
const baselineFetch: Fetch = async (path) => {
  const reply = await baseline.inject({ method: 'GET', url: path });
  return { status: reply.statusCode, body: reply.body };
};
const tree = seedCategories().map((c) => ({ id: c.id, parentId: c.parentId }));

t.test('the schema step is idempotent: a second start adds nothing', async (t) => {
  t.equal(schemaReport.addedColumn, true, 'the first start added search_vector');
  const again = await ensureBaselineSchema(postgres.client, config.databaseSchema);
  t.equal(again.addedColumn, false);
});

t.test('filter-only searches: equal totals, facet counts and price-sorted pages', async (t) => {
  const result = await checkFilterParity(aisleFetch, baselineFetch, tree, SEED);
  t.ok(result.queries >= 25, `${result.queries} searches compared`);
  // Searches on unknown values find nothing, yet every search compares some non-zero counts:
  // each facet is counted without its own filter.
  const found = result.totals.filter((r) => r.total > 0).length;
  t.ok(found >= result.queries * 0.75, `${found} of them find products`);
  const vacuous = result.totals.filter((r) => r.total === 0 && r.buckets === 0);
  t.same(vacuous, [], 'every search has non-zero counts to compare');
  t.same(result.differences, [], 'no difference between Aisle and the baseline');
});

t.test('the browse total is every published product', async (t) => {
  const reply = await baselineFetch('/v1/search?size=1');
  t.equal(reply.status, 200);
  t.equal((JSON.parse(reply.body) as { total: number }).total, published);
});

t.test(
  'text search: stemmed words, any word may match, highlighted, best match first',
  async (t) => {
    const { rows: names } = await write.pool.query<{ name: string }>(
      "SELECT name FROM products WHERE status = 'published' ORDER BY id LIMIT 1",
    );
    const name = names[0]?.name ?? '';
    const words = name.split(' ').slice(-2).join(' ');
    const reply = await baselineFetch(`/v1/search?q=${encodeURIComponent(name)}`);
    t.equal(reply.status, 200);
    const body = JSON.parse(reply.body) as {
      total: number;
      items: { name: string; highlight: { name?: string } }[];
    };
    t.ok(body.total > 1, `"${name}" finds more than the one product`);
    t.equal(body.items[0]?.name, name, 'the product whose name is the query comes first');
    t.match(body.items[0]?.highlight.name ?? '', /<em>/);
    const pair = JSON.parse(
      (await baselineFetch(`/v1/search?q=${encodeURIComponent(words)}`)).body,
    );
    t.ok((pair as { total: number }).total >= 1, `"${words}" finds something`);
  },
);

t.test('paging: nextCursor leads to the next page, which continues the order', async (t) => {
  const first = JSON.parse((await baselineFetch('/v1/search?sort=price_asc&size=3')).body) as {
    items: { id: string }[];
    nextCursor: string | null;
  };
  const second = JSON.parse((await baselineFetch('/v1/search?sort=price_asc&size=3&page=2')).body);
  t.type(first.nextCursor, 'string');
  const viaCursor = JSON.parse(
    (await baselineFetch(`/v1/search?sort=price_asc&size=3&cursor=${first.nextCursor ?? ''}`)).body,
  );
  t.same(viaCursor, second);
});

t.test('bad input is a 400 problem, never a 5xx', async (t) => {
  for (const query of [
    'price_min=5000&price_max=100',
    'sort=cheapest',
    'size=1000',
    'attr.Color=red',
    'cursor=bm9wZQ',
    'page=1&cursor=cDI',
  ]) {
    const reply = await baselineFetch(`/v1/search?${query}`);
    t.equal(reply.status, 400, query);
    t.equal((JSON.parse(reply.body) as { code: string }).code, 'validation_failed', query);
  }
  const injection = await baselineFetch(
    `/v1/search?q=${encodeURIComponent("'); DROP TABLE products; --")}&brand=${encodeURIComponent("x' OR 1=1 --")}`,
  );
  t.equal(injection.status, 200);
  t.equal((JSON.parse(injection.body) as { total: number }).total, 0);
});

t.test('past the deadline, a search is a prompt 503 with Retry-After', async (t) => {
  const hurried = await buildBaselineApp({
    logger: silentLogger,
    postgres: openBaselinePool({
      url: config.databaseUrl,
      schema: config.databaseSchema,
      poolMax: 1,
      deadlineMs: 1,
    }),
    bodyLimitBytes: config.bodyLimitBytes,
    readinessTimeoutMs: config.readinessTimeoutMs,
  });
  t.teardown(() => hurried.close());
  const reply = await hurried.inject({ method: 'GET', url: '/v1/search?q=wool' });
  t.equal(reply.statusCode, 503);
  t.equal(reply.headers['retry-after'], '1');
});

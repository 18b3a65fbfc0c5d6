// The search answer cache keyed on the index generation, on the real pipeline (Postgres, relay,
// search projector on OpenSearch, Redis): a repeated search stays a hit long past the short TTL
// while nothing changes; a change projected ends it within refresh + poll + TTL; with Redis
// unreachable for the generation, every entry lives the short TTL only.
import type { FastifyInstance } from 'fastify';
import t from 'tap';
import type { CatalogReadContext } from '../context.js';
import { startSearchGeneration } from './generation.js';
import { searchRoutes } from './routes.js';
import { createServer } from '../../../shared/http/server.js';
import { initialSynonyms } from '../../../shared/read-models/merchandising/initial.js';
import { initialView } from '../../../shared/read-models/merchandising/view.js';
import { searchKeys } from '../../../shared/read-models/search/keys.js';
import { rebuildSearch } from '../../../shared/read-models/search/rebuild.js';
import type { SearchResult } from '../../../shared/read-models/search/query/response.js';
import { openRedis } from '../../../shared/stores/redis.js';
import { CategoryTreeCache } from '../../../shared/read-models/detail/category-revision.js';
import { openSearch } from '../../../shared/stores/search/open.js';
import { silentLogger } from '../../../test/support/logger.js';
import { startPipeline, type Pipeline } from '../../../test/support/pipeline.js';
import { startReadSide } from '../../../test/support/read-side.js';
import { waitFor } from '../../../test/support/wait.js';
import { metricSum } from '../../../test/support/metrics.js';

// Defaults as shipped: SEARCH_CACHE_TTL_MS 500, SEARCH_CACHE_MAX_AGE_MS 60000,
// SEARCH_GENERATION_POLL_MS 100, refresh 500 ms.
const TTL_MS = 500;
const SETTLE_MS = 500 + 100;

const engineRequests = (app: FastifyInstance) =>
  metricSum(app, /^aisle_search_engine_requests_total\{/);

/** One search; whether it reached the engine (a miss) or not (a hit). */
async function search(app: FastifyInstance, q: string) {
  const before = await engineRequests(app);
  const res = await app.inject({ method: 'GET', url: '/v1/search', query: { q } });
  if (res.statusCode !== 200) throw new Error(`search ${q}: ${res.statusCode} ${res.body}`);
  return { body: res.json<SearchResult>(), hit: (await engineRequests(app)) === before };
}

async function create(p: Pipeline, name: string, amountMinor: number) {
  const res = await p.write.admin({
    method: 'POST',
    url: '/admin/v1/products',
    payload: {
      sku: `G-${Math.random().toString(36).slice(2, 10)}`,
      name,
      description: 'Cached, then not.',
      brand: 'Gen',
      attributes: {},
      images: [],
      price: { amountMinor, currency: 'EUR' },
      status: 'published',
    },
  });
  if (res.statusCode !== 201) throw new Error(`create ${name}: ${res.body}`);
  return res.json<{ id: string; version: number }>();
}

const indexed = (p: Pipeline, id: string, version: number) =>
  waitFor(`version ${version} of ${id} in search`, async () =>
    ((await p.search.client.getDocument(p.alias, id))?.version ?? 0) >= version ? true : undefined,
  );

t.test('Nothing changes: a repeated search stays a cache hit long after the TTL', async (t) => {
  const p = await startPipeline(t);
  const rs = await startReadSide(t, p);
  const { id, version } = await create(p, 'Quokka kettle', 2500);
  await indexed(p, id, version);
  await waitFor('the product searchable and the generation followed', async () =>
    (await search(rs.app, 'quokka')).body.total === 1 &&
    (await metricSum(rs.app, /^aisle_search_generation_followed[{ ]/)) === 1
      ? true
      : undefined,
  );

  // Each miss stores afresh; once an entry is stored past refresh + poll after the change was
  // seen, it must still be a hit well past the TTL. Time passing is what is tested here.
  const changesBefore = await metricSum(rs.app, /^aisle_search_generation_changes_total[{ ]/);
  let storedAt = Date.now();
  let missesAfterSettled = 0;
  const settledFrom = Date.now() + SETTLE_MS;
  const heldFor = await waitFor(
    'a hit 3 × the TTL after its entry was stored',
    async () => {
      const { hit } = await search(rs.app, 'quokka');
      const now = Date.now();
      if (!hit) {
        if (storedAt >= settledFrom) missesAfterSettled++;
        storedAt = now;
        return undefined;
      }
      return now - storedAt >= 3 * TTL_MS ? now - storedAt : undefined;
    },
    10_000,
  );
  t.ok(heldFor >= 3 * TTL_MS, `served from the cache ${heldFor} ms after it was stored`);
  t.equal(missesAfterSettled, 0, 'an entry stored after the settle time was never dropped');
  t.equal(
    await metricSum(rs.app, /^aisle_search_generation_changes_total[{ ]/),
    changesBefore,
    'no change seen meanwhile',
  );
});

t.test('A change projected is shown within refresh + poll + TTL, not at max age', async (t) => {
  const p = await startPipeline(t);
  const rs = await startReadSide(t, p);
  const { id, version } = await create(p, 'Wombat teapot', 1800);
  await indexed(p, id, version);
  const generationKey = searchKeys.generation(p.config.redisKeyPrefix);
  t.ok(Number(await p.redis.client.get(generationKey)) >= 1, 'the projector bumped the generation');

  // A long-lived entry: a hit more than the TTL after it was stored.
  let storedAt = Date.now();
  await waitFor('a long-lived cached answer showing 1800', async () => {
    const { body, hit } = await search(rs.app, 'wombat');
    if (body.items[0]?.price?.amountMinor !== 1800) return undefined;
    if (!hit) storedAt = Date.now();
    return hit && Date.now() - storedAt > TTL_MS ? true : undefined;
  });
  const changesBefore = await metricSum(rs.app, /^aisle_search_generation_changes_total[{ ]/);

  const res = await p.write.admin({
    method: 'PUT',
    url: `/admin/v1/products/${id}/price`,
    payload: { amountMinor: 999, currency: 'EUR' },
  });
  t.equal(res.statusCode, 200);
  const repriced = Number(res.headers['x-aisle-version']);
  await indexed(p, id, repriced); // acknowledged by the engine: the bump follows at once
  const projectedAt = Date.now();
  // When the engine itself shows the change (its refresh); the cache adds at most the TTL.
  await waitFor('the new price in the index', async () => {
    const raw = await p.search.client.search(p.alias, { query: { ids: { values: [id] } } });
    return raw.hits.hits[0]?._source?.['priceMinor'] === 999 ? true : undefined;
  });
  const visibleAt = Date.now();
  await waitFor(
    'the new price in /v1/search',
    async () =>
      (await search(rs.app, 'wombat')).body.items[0]?.price?.amountMinor === 999 ? true : undefined,
    10_000,
    20,
  );
  const shownAt = Date.now();
  // At most the TTL (an answer computed just before the refresh) after the index shows it, with
  // room for a busy shared box; without the generation the old answer would be served until
  // SEARCH_CACHE_MAX_AGE_MS (60 s), past the deadline above.
  t.ok(
    shownAt - visibleAt < TTL_MS + 1_500,
    `shown ${shownAt - visibleAt} ms after the index showed it (${visibleAt - projectedAt} ms after the write was acknowledged)`,
  );
  t.ok((await metricSum(rs.app, /^aisle_search_generation_changes_total[{ ]/)) > changesBefore);

  // And from there on, never the old price again: stale answers are gone for good.
  for (let i = 0; i < 5; i++) {
    t.equal((await search(rs.app, 'wombat')).body.items[0]?.price?.amountMinor, 999);
  }
});

t.test('Redis unreachable for the generation: every entry lives the TTL only', async (t) => {
  const p = await startPipeline(t);
  const { id, version } = await create(p, 'Numbat ladle', 700);
  await indexed(p, id, version);
  await p.search.client.refresh(p.alias);
  // The search routes on the real index and Redis, with the generation followed on a Redis
  // that nothing listens to (port 1), as the app wires them.
  const app = await createServer({
    service: 'catalog-read',
    description: 'search routes, generation unreachable',
    logger: silentLogger,
    bodyLimitBytes: 1024,
    readinessTimeoutMs: 1000,
  });
  const engine = openSearch(p.config);
  const dead = openRedis('redis://127.0.0.1:1');
  t.teardown(async () => {
    await app.close();
    dead.client.disconnect();
    await engine.close();
  });
  const generation = startSearchGeneration(
    app,
    { ...p.config, redisUrl: 'redis://127.0.0.1:1' },
    dead.client,
  );
  const context = {
    config: p.config,
    search: engine.client,
    alias: p.alias,
    redis: p.redis.client,
    categoryTrees: new CategoryTreeCache(p.redis.client, p.config.redisKeyPrefix),
    usage: { recordSearch: () => undefined, recordView: () => undefined },
  } as CatalogReadContext;
  await app.register(
    (v1, _opts, done) => {
      searchRoutes(v1, context, { current: () => initialView(initialSynonyms()) }, generation);
      done();
    },
    { prefix: '/v1' },
  );
  await app.ready();
  t.equal(await metricSum(app, /^aisle_search_generation_followed[{ ]/), 0, 'fallback mode');

  const first = await search(app, 'numbat');
  t.equal(first.body.total, 1);
  t.notOk(first.hit);
  const storedAt = Date.now();
  // Hits are possible only within the TTL; the first miss after the store must come once it
  // has passed, and soon after.
  const missAfter = await waitFor(
    'the entry to expire',
    async () => ((await search(app, 'numbat')).hit ? undefined : Date.now() - storedAt),
    5_000,
    20,
  );
  t.ok(missAfter >= TTL_MS, `not before the TTL (${missAfter} ms)`);
  t.ok(missAfter < TTL_MS + 1_000, `expired at the TTL (${missAfter} ms), not at max age`);
  t.equal(await metricSum(app, /^aisle_search_generation_followed[{ ]/), 0);
});

t.test('A search rebuild bumps the generation after its alias swap', async (t) => {
  const p = await startPipeline(t);
  const { id, version } = await create(p, 'Bilby whisk', 300);
  await indexed(p, id, version);
  const key = searchKeys.generation(p.config.redisKeyPrefix);
  // The projector announces once at start and once after the write became searchable; both
  // must be done, or one of them would land during the rebuild.
  const before = await waitFor('the projector to announce its write', async () => {
    const generation = Number(await p.redis.client.get(key));
    return generation >= 2 ? generation : undefined;
  });
  const report = await rebuildSearch(
    { config: p.config, engine: p.search.client, redis: p.redis.client, pool: p.write.pool },
    { settleMs: 50 },
  );
  t.not(report.index, report.previousIndex);
  t.strictSame(report.warnings, []);
  t.equal(Number(await p.redis.client.get(key)), before + 1, 'one bump, for the swap');
});

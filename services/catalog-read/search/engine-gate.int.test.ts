// SEARCH_ENGINE_CONCURRENCY on the real engine: searches that wait for a turn get the answers an
// unbounded catalog-read gives, a typo fallback waits as a follow-up, and a search that cannot
// get a turn in time is a 503 the client may retry.
import type { FastifyInstance } from 'fastify';
import t from 'tap';
import type { SearchResult } from '../../../shared/read-models/search/query/response.js';
import { startPipeline, type Pipeline } from '../../../test/support/pipeline.js';
import { startReadSide } from '../../../test/support/read-side.js';
import { waitFor } from '../../../test/support/wait.js';
import { metricSum } from '../../../test/support/metrics.js';

const NAMES = ['Amber lantern', 'Cobalt kettle', 'Copper lantern', 'Walnut stool', 'Linen throw'];

async function seed(p: Pipeline): Promise<void> {
  let last = { id: '', version: 0 };
  for (const name of NAMES) {
    const res = await p.write.admin({
      method: 'POST',
      url: '/admin/v1/products',
      payload: {
        sku: `EG-${Math.random().toString(36).slice(2, 10)}`,
        name,
        description: 'Made to wait its turn.',
        brand: 'Gatehouse',
        attributes: {},
        images: [],
        price: { amountMinor: 2500, currency: 'EUR' },
        status: 'published',
      },
    });
    last = res.json<{ id: string; version: number }>();
  }
  await waitFor('the products in search', async () =>
    ((await p.search.client.getDocument(p.alias, last.id))?.version ?? 0) >= last.version
      ? true
      : undefined,
  );
  await p.search.client.refresh(p.alias);
}

/** Queries with different answers; "lantren" and "kettel" take the typo fallback. */
const QUERIES = ['lantern', 'kettle', 'stool', 'throw', 'lantren', 'kettel', 'amber', 'copper'];

const totals = async (app: FastifyInstance, queries: readonly string[]) =>
  Promise.all(
    queries.map(async (q) => {
      const res = await app.inject({ method: 'GET', url: '/v1/search', query: { q } });
      return { status: res.statusCode, total: res.json<SearchResult>().total };
    }),
  );

t.test(
  'When searches wait for a turn, then they get the answers an unbounded instance gives',
  async (t) => {
    const p = await startPipeline(t);
    await seed(p);
    const unbounded = await startReadSide(t, {
      config: { ...p.config, searchEngineConcurrency: 0, searchCacheMaxBytes: 0 },
    });
    const gated = await startReadSide(t, {
      config: { ...p.config, searchEngineConcurrency: 1, searchCacheMaxBytes: 0 },
    });
    const many = Array.from({ length: 5 }, () => QUERIES).flat();
    const expected = await totals(unbounded.app, many);
    const answered = await totals(gated.app, many);
    t.same(answered, expected, 'the same statuses and totals');
    t.ok(
      expected.some((a) => a.total > 0) && expected.every((a) => a.status === 200),
      'the searches found products',
    );
    const waits = (priority: string) =>
      metricSum(
        gated.app,
        new RegExp(`^aisle_search_engine_wait_seconds_count\\{.*priority="${priority}"`),
      );
    t.ok((await waits('first')) >= many.length, 'every search took a first turn');
    t.ok((await waits('follow-up')) >= 10, 'the typo fallbacks took follow-up turns');
    t.ok(
      (await metricSum(gated.app, /^aisle_search_engine_wait_seconds_sum/)) > 0,
      'some waited: one turn for 40 concurrent searches',
    );
    t.equal(await metricSum(gated.app, /^aisle_search_engine_waiting /), 0, 'nobody left waiting');
  },
);

t.test('When a search cannot get a turn in time, then it is a 503 with Retry-After', async (t) => {
  const p = await startPipeline(t);
  await seed(p);
  const gated = await startReadSide(t, {
    config: {
      ...p.config,
      searchEngineConcurrency: 1,
      searchCacheMaxBytes: 0,
      storeRequestTimeoutMs: 50,
    },
  });
  // 150 searches for one turn: the last ones wait for ~149 engine round trips, far past 50 ms.
  const answers = await Promise.all(
    Array.from({ length: 150 }, (_, i) =>
      gated.app.inject({
        method: 'GET',
        url: '/v1/search',
        query: { q: QUERIES[i % QUERIES.length] ?? 'lantern', size: String(1 + (i % 20)) },
      }),
    ),
  );
  const refused = answers.filter((a) => a.statusCode === 503);
  t.ok(refused.length > 0, `${refused.length} of 150 refused`);
  t.ok(
    answers.every((a) => a.statusCode === 200 || a.statusCode === 503),
    'every other search answered',
  );
  for (const a of refused.slice(0, 3)) {
    t.match(a.headers['content-type'], /^application\/problem\+json/);
    t.equal(a.headers['retry-after'], '1');
  }
  t.ok(
    (await metricSum(gated.app, /^aisle_search_engine_wait_timeouts_total\{.*priority="first"/)) >
      0,
    'counted as refused while waiting',
  );
  // Once the crowd is gone, a search gets its turn at once.
  const after = await gated.app.inject({
    method: 'GET',
    url: '/v1/search',
    query: { q: 'lantern' },
  });
  t.equal(after.statusCode, 200);
});

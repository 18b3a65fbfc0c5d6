// The routes with stub stores: what reaches the engine for a request, how engine failures are
// answered, and that validation refuses what the schema does not name. No store runs here.
import type { FastifyInstance } from 'fastify';
import t from 'tap';
import type { CategorySnapshot } from '../../../shared/events/catalog-events.js';
import { buildCategoryTree } from '../../../shared/read-models/detail/category-tree.js';
import { createServer } from '../../../shared/http/server.js';
import type { SearchResponseBody } from '../../../shared/stores/search/engine.js';
import { silentLogger } from '../../../test/support/logger.js';
import type { CatalogReadContext } from '../context.js';
import type { SearchUsage } from '../usage/recorder.js';
import {
  buildSearchBody,
  type SearchBodyInput,
} from '../../../shared/read-models/search/query/build-search-body.js';
import type { GenerationState } from '../../../shared/read-models/search/generation.js';
import { ResultCache } from './result-cache.js';
import { renderedBytes } from './search-answers.js';
import { registerSearchRoutes } from './routes.js';
import { waitFor } from '../../../test/support/wait.js';
import { parseSynonyms } from '../../../shared/read-models/search/query/synonyms.js';
import { initialView } from '../../../shared/read-models/merchandising/view.js';
import { metricSum } from '../../../test/support/metrics.js';

const category = (id: string, name: string, parentId: string | null): CategorySnapshot => ({
  id,
  slug: id,
  name,
  parentId,
  createdAt: '2025-01-01T00:00:00.000Z',
  updatedAt: '2025-01-01T00:00:00.000Z',
  version: 1,
});

const categories = [
  category('c-shoes', 'Shoes', null),
  category('c-trail', 'Trail', 'c-shoes'),
  category('c-bags', 'Bags', null),
];

const emptyAnswer: SearchResponseBody = {
  took: 1,
  hits: { total: { value: 0, relation: 'eq' }, hits: [] },
};

interface Stub {
  readonly app: FastifyInstance;
  readonly bodies: Record<string, unknown>[];
  readonly searches: SearchUsage[];
}

async function stubApp(
  t: { teardown(fn: () => unknown): void },
  answer: () => Promise<SearchResponseBody> = () => Promise.resolve(emptyAnswer),
  cache?: ResultCache,
): Promise<Stub> {
  const bodies: Record<string, unknown>[] = [];
  const searches: SearchUsage[] = [];
  const context = {
    config: { redisKeyPrefix: 'stub', readYourWritesTimeoutMs: 100 },
    alias: 'stub-products',
    categoryTrees: { tree: () => Promise.resolve(buildCategoryTree(categories)) },
    search: {
      search: (_index: string, body: Record<string, unknown>) => {
        bodies.push(body);
        return answer();
      },
      getDocument: () => Promise.resolve({ version: 99, source: {} }),
    },
    usage: { recordSearch: (u: SearchUsage) => searches.push(u), recordView: () => undefined },
  } as unknown as CatalogReadContext;
  const app = await createServer({
    service: 'stub',
    description: 'stub',
    logger: silentLogger,
    bodyLimitBytes: 1024,
    readinessTimeoutMs: 100,
  });
  await app.register(
    (v1, _opts, done) => {
      // A sibling route's shared schema, as the categories route adds in the real app.
      v1.addSchema({ $id: 'SiblingSchema', type: 'object' });
      registerSearchRoutes(v1, context, {
        merchandising: { current: () => initialView(parseSynonyms('sneakers, trainers')) },
        ...(cache === undefined ? {} : { cache }),
      });
      done();
    },
    { prefix: '/v1' },
  );
  t.teardown(() => app.close());
  return { app, bodies, searches };
}

t.test('A request reaches the engine as the builder body, resolved and expanded', async (t) => {
  const { app, bodies, searches } = await stubApp(t);
  const res = await app.inject({
    method: 'GET',
    url: '/v1/search?q=shoes%20sneakers&category=c-shoes&brand=B&brand=A&attr.color=red&size=5&page=2',
  });
  t.equal(res.statusCode, 200);
  const input: SearchBodyInput = {
    units: [
      { text: 'shoes', alternatives: [] },
      { text: 'sneakers', alternatives: ['trainers'] },
    ],
    signalCategories: ['c-shoes', 'c-trail'],
    filters: {
      categoryIds: ['c-shoes', 'c-trail'],
      brands: ['A', 'B'],
      inStock: false,
      attributes: [{ name: 'color', values: ['red'] }],
    },
    sort: 'relevance',
    size: 5,
    from: 5,
  };
  t.strictSame(
    bodies,
    [
      buildSearchBody({ ...input, countUnits: true }),
      buildSearchBody({ ...input, fuzzyUnits: [0, 1] }),
    ],
    'the exact query found nothing, so the fuzzy fallback ran',
  );
  t.strictSame(res.json(), {
    appliedRules: [],
    total: 0,
    items: [],
    facets: {
      brand: [],
      category: [],
      price: [
        { from: 0, to: 1000, count: 0 },
        { from: 1000, to: 2500, count: 0 },
        { from: 2500, to: 5000, count: 0 },
        { from: 5000, to: 10000, count: 0 },
        { from: 10000, to: 25000, count: 0 },
        { from: 25000, to: null, count: 0 },
      ],
      inStock: [],
      attributes: { color: [] },
    },
    nextCursor: null,
  });
  t.match(searches, [
    {
      query: 'shoes sneakers',
      filters: { category: 'c-shoes', brand: ['A', 'B'], 'attr.color': ['red'], sort: 'relevance' },
      resultCount: 0,
    },
  ]);
});

t.test('Hits are mapped to items, with highlight and a cursor when more exist', async (t) => {
  const hit = (n: number) => ({
    _id: `id-${n}`,
    _score: 1,
    _source: {
      id: `id-${n}`,
      sku: `S${n}`,
      name: `Shoe ${n}`,
      brand: null,
      priceMinor: 100 * n,
      currency: 'EUR',
      inStock: n % 2 === 0,
      categoryId: null,
      image: null,
    },
    highlight: { name: [`<em>Shoe</em> ${n}`] },
    sort: [100 * n, `id-${n}`],
  });
  const { app, bodies } = await stubApp(t, () =>
    Promise.resolve({
      took: 1,
      hits: { total: { value: 3, relation: 'eq' }, hits: [hit(1), hit(2), hit(3)] },
    }),
  );
  const res = await app.inject({ method: 'GET', url: '/v1/search?q=shoe&size=2&sort=price_asc' });
  const body = res.json<{ items: unknown[]; nextCursor: string | null; total: number }>();
  t.equal(body.total, 3);
  t.strictSame(body.items, [
    {
      id: 'id-1',
      sku: 'S1',
      name: 'Shoe 1',
      brand: null,
      price: { amountMinor: 100, currency: 'EUR' },
      inStock: false,
      category: null,
      image: null,
      highlight: { name: '<em>Shoe</em> 1' },
      priceRange: null,
      variantCount: 0,
      matchedVariants: [],
    },
    {
      id: 'id-2',
      sku: 'S2',
      name: 'Shoe 2',
      brand: null,
      price: { amountMinor: 200, currency: 'EUR' },
      inStock: true,
      category: null,
      image: null,
      highlight: { name: '<em>Shoe</em> 2' },
      priceRange: null,
      variantCount: 0,
      matchedVariants: [],
    },
  ]);
  t.type(body.nextCursor, 'string');
  const sent = JSON.stringify(bodies[0]);
  t.match(sent, /"term":\{"skus":"shoe"\}/, 'a one-token query is also tried as a SKU');
  const next = await app.inject({
    method: 'GET',
    url: `/v1/search?q=shoe&size=2&sort=price_asc&cursor=${body.nextCursor ?? ''}`,
  });
  t.equal(next.statusCode, 200, 'the cursor continues the same search');
});

t.test(
  'A hit with variants maps its price range, count and the variants the filters match',
  async (t) => {
    const source = {
      id: 'p1',
      sku: 'TEE',
      name: 'Tee',
      brand: 'Acme',
      priceMinor: 1999,
      currency: 'EUR',
      inStock: true,
      categoryId: null,
      image: null,
      priceRange: { min: 1999, max: 2999, currency: 'EUR' },
      variantCount: 3,
      optionNames: ['color', 'size'],
      variants: [
        { id: 'v1', options: ['black', 'M'], price: 1999, inStock: true },
        { id: 'v2', options: ['black', 'XL'], price: 2999, inStock: false },
        { id: 'v3', options: ['grey', 'XL'], price: 2499, inStock: true },
      ],
    };
    const answer: SearchResponseBody = {
      took: 1,
      hits: {
        total: { value: 1, relation: 'eq' },
        hits: [{ _id: 'p1', _score: 1, _source: source }],
      },
    };
    const { app } = await stubApp(t, () => Promise.resolve(answer));
    const items = async (url: string) =>
      (await app.inject({ method: 'GET', url })).json<{
        items: { priceRange: unknown; variantCount: number; matchedVariants: string[] }[];
      }>().items;
    const [all] = await items('/v1/search');
    t.strictSame(all, {
      id: 'p1',
      sku: 'TEE',
      name: 'Tee',
      brand: 'Acme',
      price: { amountMinor: 1999, currency: 'EUR' },
      inStock: true,
      category: null,
      image: null,
      highlight: {},
      priceRange: { min: 1999, max: 2999, currency: 'EUR' },
      variantCount: 3,
      matchedVariants: ['v1', 'v2', 'v3'],
    });
    const matched = async (query: string) =>
      (await items(`/v1/search?${query}`))[0]?.matchedVariants;
    t.strictSame(await matched('attr.size=XL'), ['v2', 'v3']);
    t.strictSame(await matched('attr.size=XL&attr.color=black'), ['v2']);
    t.strictSame(await matched('attr.size=XL&in_stock=true'), ['v3']);
    t.strictSame(await matched('price_max=2500'), ['v1', 'v3']);
    t.strictSame(
      await matched('attr.color=black&attr.material=cotton'),
      ['v1', 'v2'],
      'not an option',
    );
  },
);

const answerWith = (total: number, unitMatches?: number[]): SearchResponseBody => ({
  took: 1,
  hits: { total: { value: total, relation: 'eq' }, hits: [] },
  ...(unitMatches === undefined
    ? {}
    : {
        aggregations: {
          unit_matches: { buckets: unitMatches.map((doc_count) => ({ doc_count })) },
        },
      }),
});

t.test('Typo tolerance is a fallback: one exact query when it finds enough', async (t) => {
  const enough = await stubApp(t, () => Promise.resolve(answerWith(12, [12, 3])));
  await enough.app.inject({ method: 'GET', url: '/v1/search?q=rain%20jacket' });
  t.equal(enough.bodies.length, 1, 'every word matched: no fuzzy query');
  t.notMatch(JSON.stringify(enough.bodies[0]), /fuzziness/);

  const typo = await stubApp(t, () => Promise.resolve(answerWith(12, [12, 0])));
  await typo.app.inject({ method: 'GET', url: '/v1/search?q=rain%20jakcet' });
  t.equal(typo.bodies.length, 2, 'a word matched nothing: the fuzzy query follows');
  t.match(
    JSON.stringify(typo.bodies[1]),
    /"query":"jakcet","fields":\["name.exact","brand.text"\],"fuzziness":"AUTO:4,8"/,
  );
  t.notMatch(
    JSON.stringify(typo.bodies[1]),
    /"query":"rain","fields":\["name.exact"/,
    'only that word',
  );

  const browse = await stubApp(t, () => Promise.resolve(answerWith(0)));
  await browse.app.inject({ method: 'GET', url: '/v1/search?brand=Nope' });
  t.equal(browse.bodies.length, 1, 'a browse has no words to retry');
});

t.test('Unknown parameters are refused even beside routes with shared schemas', async (t) => {
  const { app, bodies } = await stubApp(t);
  for (const url of [
    '/v1/search?unknown=1',
    '/v1/search?attr.Bad%20Name=x',
    '/v1/search?attr.color=',
    '/v1/suggest?q=a&extra=1',
  ]) {
    const res = await app.inject({ method: 'GET', url });
    t.equal(res.statusCode, 400, url);
    t.match(res.headers['content-type'], /^application\/problem\+json/);
  }
  t.equal(bodies.length, 0, 'nothing reached the engine');
});

t.test(
  'An engine that is away is a 503 with Retry-After; a refused body is a bare 500',
  async (t) => {
    const away = Object.assign(new Error('connect ECONNREFUSED'), { name: 'ConnectionError' });
    const { app: down } = await stubApp(t, () => Promise.reject(away));
    const res = await down.inject({ method: 'GET', url: '/v1/search?q=shoe' });
    t.equal(res.statusCode, 503);
    t.equal(res.headers['retry-after'], '1');
    const refused = Object.assign(new Error('parsing_exception: secret detail'), {
      meta: { statusCode: 400 },
      statusCode: 400,
    });
    const { app: buggy } = await stubApp(t, () => Promise.reject(refused));
    const bug = await buggy.inject({ method: 'GET', url: '/v1/search?q=shoe' });
    t.equal(bug.statusCode, 500);
    t.notMatch(bug.body, /secret detail/);
  },
);

t.test(
  'Suggest: nothing to complete asks nothing; no hit falls back to typo tolerance',
  async (t) => {
    const { app, bodies } = await stubApp(t);
    const empty = await app.inject({ method: 'GET', url: '/v1/suggest?q=%20%3A%20' });
    t.strictSame(empty.json(), { suggestions: [] });
    t.equal(bodies.length, 0);
    await app.inject({ method: 'GET', url: '/v1/suggest?q=runnning%20sh&size=3' });
    t.equal(bodies.length, 2, 'the exact prefix query, then the fuzzy one');
    t.match(bodies[1], { size: 3, query: { bool: { must: [{ bool: { should: [{}, {}] } }] } } });
  },
);

// ----- the answer cache (result-cache.ts, search-answers.ts) -----

const clock = () => {
  let now = 0;
  return { now: () => now, advance: (ms: number) => (now += ms) };
};

t.test('A repeated request is answered from the cache, with no engine request', async (t) => {
  const time = clock();
  const cache = new ResultCache({ maxBytes: 1_000_000, ttlMs: 500, now: time.now });
  const { app, bodies, searches } = await stubApp(t, () => Promise.resolve(answerWith(12)), cache);
  const url = '/v1/search?q=shoe&brand=A&size=2';
  const first = await app.inject({ method: 'GET', url });
  t.equal(bodies.length, 1, 'the first asks the engine');
  const again = await app.inject({ method: 'GET', url: '/v1/search?size=2&brand=A&q=shoe' });
  t.equal(bodies.length, 1, 'the same request (parameters in another order) does not');
  t.strictSame(again.json(), first.json());
  t.equal(searches.length, 2, 'both are recorded for analytics');
  t.equal(
    await metricSum(app, /^aisle_search_cache_lookups_total\{part="response",outcome="hit"/),
    1,
    'the second is the whole rendered answer from the cache',
  );
  t.equal(await metricSum(app, /^aisle_search_engine_requests_total\{/), 1);
  t.equal(await metricSum(app, /^aisle_search_cache_entries[{ ]/), 3, 'the answer and its parts');
  t.equal(await metricSum(app, /^aisle_search_cache_bytes[{ ]/), cache.bytes);
  t.ok(cache.bytes > 2 * first.body.length, 'the rendered body and the parts are counted');
});

t.test('Identical searches at once share one engine request', async (t) => {
  const time = clock();
  const cache = new ResultCache({ maxBytes: 1_000_000, ttlMs: 500, now: time.now });
  let release = (): void => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const { app, bodies, searches } = await stubApp(
    t,
    async () => {
      await gate;
      return answerWith(12);
    },
    cache,
  );
  const url = '/v1/search?q=shoe&brand=A';
  const asked = [1, 2, 3].map(() => app.inject({ method: 'GET', url }));
  const other = app.inject({ method: 'GET', url: '/v1/search?q=shoe&brand=B' });
  await waitFor('both distinct searches at the engine, the two repeats waiting', async () =>
    bodies.length === 2 && (await metricSum(app, /^aisle_search_shared_answers_total[{ ]/)) === 2
      ? true
      : undefined,
  );
  release();
  const answers = await Promise.all(asked);
  t.equal((await other).statusCode, 200);
  t.equal(bodies.length, 2, 'one engine request per distinct search, not per request');
  t.strictSame(
    answers.map((a) => a.statusCode),
    [200, 200, 200],
  );
  t.strictSame(answers[1]?.json(), answers[0]?.json());
  t.strictSame(answers[2]?.json(), answers[0]?.json());
  t.equal(searches.length, 4, 'each request is still recorded for analytics');
});

t.test('A search asked after the index changed does not share one asked before', async (t) => {
  const time = clock();
  let state: GenerationState = { followed: true, generation: 1, changedAt: -10_000 };
  const cache = new ResultCache({
    maxBytes: 1_000_000,
    ttlMs: 500,
    maxAgeMs: 60_000,
    settleMs: 600,
    generation: { current: () => state },
    now: time.now,
  });
  let release = (): void => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const { app, bodies } = await stubApp(
    t,
    async () => {
      await gate;
      return answerWith(12);
    },
    cache,
  );
  const url = '/v1/search?q=shoe';
  const before = app.inject({ method: 'GET', url }).then((r) => r);
  await waitFor('the first search at the engine', async () =>
    bodies.length === 1 ? true : undefined,
  );
  state = { followed: true, generation: 2, changedAt: time.now() };
  const after = app.inject({ method: 'GET', url }).then((r) => r);
  await waitFor('the second search at the engine too', async () =>
    bodies.length === 2 ? true : undefined,
  );
  release();
  t.strictSame([(await before).statusCode, (await after).statusCode], [200, 200]);
  t.equal(await metricSum(app, /^aisle_search_shared_answers_total[{ ]/), 0, 'nothing shared');
});

t.test('A rendered answer is bytes of its own, not a slice of a shared pool', async (t) => {
  const body = renderedBytes('{"total":0,"items":[]}');
  t.equal(body.toString('utf8'), '{"total":0,"items":[]}');
  t.equal(body.buffer.byteLength, body.byteLength, 'it keeps nothing else alive');
  t.equal(renderedBytes('{"q":"é"}').byteLength, 10, 'UTF-8 bytes, not characters');
});

t.test('A failed shared search fails every request that waited for it', async (t) => {
  let fail = (_: Error): void => undefined;
  const gate = new Promise<never>((_, reject) => (fail = reject));
  const cache = new ResultCache({ maxBytes: 1_000_000, ttlMs: 500 });
  const { app, bodies } = await stubApp(t, () => gate, cache);
  const asked = [1, 2].map(() => app.inject({ method: 'GET', url: '/v1/search?q=shoe' }));
  await waitFor('one search at the engine, the other waiting for it', async () =>
    bodies.length === 1 && (await metricSum(app, /^aisle_search_shared_answers_total[{ ]/)) === 1
      ? true
      : undefined,
  );
  fail(Object.assign(new Error('connect ECONNREFUSED'), { name: 'ConnectionError' }));
  const answers = await Promise.all(asked);
  t.strictSame(
    answers.map((a) => a.statusCode),
    [503, 503],
  );
  t.equal(bodies.length, 1);
});

t.test('An entry never outlives its TTL', async (t) => {
  const time = clock();
  const cache = new ResultCache({ maxBytes: 1_000_000, ttlMs: 500, now: time.now });
  const { app, bodies } = await stubApp(t, () => Promise.resolve(answerWith(12)), cache);
  await app.inject({ method: 'GET', url: '/v1/search?brand=A' });
  time.advance(499);
  await app.inject({ method: 'GET', url: '/v1/search?brand=A' });
  t.equal(bodies.length, 1, 'within the TTL: cached');
  time.advance(1);
  await app.inject({ method: 'GET', url: '/v1/search?brand=A' });
  t.equal(bodies.length, 2, 'at the TTL: asked again');
});

t.test('A minVersion read bypasses the cache, and what it finds is cached', async (t) => {
  const time = clock();
  const cache = new ResultCache({ maxBytes: 1_000_000, ttlMs: 500, now: time.now });
  const { app, bodies } = await stubApp(t, () => Promise.resolve(answerWith(12)), cache);
  const product = '00000000-0000-4000-8000-000000000001';
  await app.inject({ method: 'GET', url: '/v1/search?brand=A' });
  const searchBodies = () => bodies.filter((b) => 'sort' in b).length;
  t.equal(searchBodies(), 1);
  const fresh = await app.inject({
    method: 'GET',
    url: `/v1/search?brand=A&minVersion=3&product=${product}`,
  });
  t.equal(fresh.statusCode, 200);
  t.equal(searchBodies(), 2, 'minVersion: the engine, not the cache');
  const byHeader = await app.inject({
    method: 'GET',
    url: `/v1/search?brand=A&product=${product}`,
    headers: { 'x-aisle-min-version': '3' },
  });
  t.equal(byHeader.statusCode, 200);
  t.equal(searchBodies(), 3, 'the header too');
  t.equal(
    await metricSum(app, /^aisle_search_cache_lookups_total\{part="response",outcome="bypass"/),
    2,
  );
});

t.test(
  'Hits and facets are cached apart: paging reuses the facets, facets= the hits',
  async (t) => {
    const time = clock();
    const cache = new ResultCache({ maxBytes: 1_000_000, ttlMs: 500, now: time.now });
    const { app, bodies } = await stubApp(t, () => Promise.resolve(answerWith(30)), cache);
    await app.inject({ method: 'GET', url: '/v1/search?q=shoe&brand=A' });
    t.equal(bodies.length, 1);
    t.ok('aggs' in (bodies[0] ?? {}), 'a first request asks for hits and facets in one body');
    await app.inject({ method: 'GET', url: '/v1/search?q=shoe&brand=A&page=2' });
    t.equal(bodies.length, 2);
    t.notOk('aggs' in (bodies[1] ?? {}), 'page 2: hits only, the facets came from the cache');
    t.equal(bodies[1]?.['from'], 20);
    await app.inject({ method: 'GET', url: '/v1/search?q=shoe&brand=A&facets=brand' });
    t.equal(bodies.length, 3);
    t.match(bodies[2], { size: 0, aggs: { group_brand: {} } }, 'other facets: facets only');
    t.notOk('shared' in ((bodies[2]?.['aggs'] as object | undefined) ?? {}), 'only brand');
  },
);

t.test(
  'A cached part keeps the typo decision, so the other part uses the same query',
  async (t) => {
    const time = clock();
    const cache = new ResultCache({ maxBytes: 1_000_000, ttlMs: 500, now: time.now });
    const { app, bodies } = await stubApp(t, () => Promise.resolve(answerWith(1)), cache);
    await app.inject({ method: 'GET', url: '/v1/search?q=jakcet' });
    t.equal(bodies.length, 2, 'exact, then fuzzy (too few results)');
    await app.inject({ method: 'GET', url: '/v1/search?q=jakcet&page=2&size=10' });
    t.equal(bodies.length, 3, 'page 2: one hits body, straight to the fuzzy query');
    t.match(JSON.stringify(bodies[2]), /"fuzziness":"AUTO:4,8"/);
  },
);

// CORS and the per-client request budgets of catalog-read, against a real Redis (counters under
// the test's own key prefix) and a real, empty search index.
import { createServer, connect, type Socket } from 'node:net';
import type { FastifyInstance, InjectOptions } from 'fastify';
import t from 'tap';
import type { Config } from '../../../shared/config/index.js';
import { bootstrapSearch } from '../../../shared/read-models/search/index-setup.js';
import { openRedis } from '../../../shared/stores/redis.js';
import { openSearch } from '../../../shared/stores/search/open.js';
import { isolatedConfig, type Teardowns } from '../../../test/support/isolation.js';
import { silentLogger } from '../../../test/support/logger.js';
import { startTcpProxy } from '../../../test/support/tcp-proxy.js';
import { waitFor } from '../../../test/support/wait.js';
import { buildCatalogReadApp } from '../app.js';

const SHOP = 'https://shop.example.com';

/** An isolated config with an empty search index, so /v1 routes answer 200 or 404, not 5xx. */
async function edgeConfig(t: Teardowns, env: Record<string, string>): Promise<Config> {
  const config = isolatedConfig(t, env);
  const search = openSearch(config);
  try {
    await bootstrapSearch(search.client, config.searchIndexPrefix);
  } finally {
    await search.close();
  }
  return config;
}

async function startApp(t: Teardowns, config: Config): Promise<FastifyInstance> {
  const app = await buildCatalogReadApp({
    config,
    logger: silentLogger,
    search: openSearch(config, 'request'),
    redis: openRedis(config.redisUrl, { commandTimeoutMs: config.storeRequestTimeoutMs }),
    usage: () => ({ recordSearch: () => undefined, recordView: () => undefined }),
  });
  t.teardown(() => app.close());
  await app.ready();
  return app;
}

const get = (app: FastifyInstance, url: string, more: Partial<InjectOptions> = {}) =>
  app.inject({ method: 'GET', url, ...more });

const preflight = (app: FastifyInstance, origin: string) =>
  app.inject({
    method: 'OPTIONS',
    url: '/v1/search?q=shoe',
    headers: {
      origin,
      'access-control-request-method': 'GET',
      'access-control-request-headers': 'if-none-match',
    },
  });

const limits = (search: number, read: number) => ({
  RATE_LIMIT_SEARCH_MAX: String(search),
  RATE_LIMIT_READ_MAX: String(read),
});

t.test('Given a list of allowed origins', async (t) => {
  const app = await startApp(
    t,
    await edgeConfig(t, { CORS_ORIGINS: `${SHOP},https://other.example.org:8443` }),
  );

  t.test('when a listed origin sends a preflight, then it is allowed GET and HEAD', async (t) => {
    const res = await preflight(app, SHOP);
    t.equal(res.statusCode, 204);
    t.equal(res.headers['access-control-allow-origin'], SHOP);
    t.match(res.headers['access-control-allow-methods'], /GET/);
    t.match(res.headers['access-control-allow-methods'], /HEAD/);
    t.notMatch(res.headers['access-control-allow-methods'], /POST|PUT|DELETE/);
    t.match(res.headers['access-control-allow-headers'], /if-none-match/);
    t.ok(Number(res.headers['access-control-max-age']) > 0, 'the preflight may be reused');
    t.equal(res.headers['ratelimit-limit'], undefined, 'a preflight spends no budget');
  });

  t.test('when a listed origin calls, then its script may read the headers it needs', async (t) => {
    const res = await get(app, '/v1/suggest?q=sho', { headers: { origin: SHOP } });
    t.equal(res.statusCode, 200);
    t.equal(res.headers['access-control-allow-origin'], SHOP);
    t.match(res.headers['vary'], /origin/i, 'caches keep one answer per origin');
    const exposed = String(res.headers['access-control-expose-headers']).toLowerCase();
    for (const name of ['etag', 'retry-after', 'ratelimit-limit', 'ratelimit-remaining']) {
      t.match(exposed, name);
    }
  });

  t.test('when an OPTIONS is no preflight, then it is a 404 like any unknown method', async (t) => {
    const res = await app.inject({
      method: 'OPTIONS',
      url: '/v1/search',
      headers: { origin: SHOP },
    });
    t.equal(res.statusCode, 404);
    t.match(res.headers['content-type'], /^application\/problem\+json/);
    t.equal(res.json<{ code: string }>().code, 'not_found');
  });

  t.test('when another origin calls, then no allow-origin header is given', async (t) => {
    for (const res of [
      await preflight(app, 'https://evil.example'),
      await get(app, '/v1/suggest?q=sho', { headers: { origin: 'https://evil.example' } }),
      await get(app, '/v1/suggest?q=sho', { headers: { origin: `${SHOP}.evil.example` } }),
    ]) {
      t.equal(res.headers['access-control-allow-origin'], undefined);
    }
  });
});

t.test('Given the default origins, when any page calls, then it may read the answer', async (t) => {
  const app = await startApp(t, await edgeConfig(t, {}));
  const res = await get(app, '/v1/suggest?q=sho', { headers: { origin: 'https://any.example' } });
  t.equal(res.statusCode, 200);
  t.equal(res.headers['access-control-allow-origin'], '*');
  t.equal(res.headers['access-control-allow-credentials'], undefined);
});

t.test('Given a tighter search budget than the read budget', async (t) => {
  const app = await startApp(t, await edgeConfig(t, limits(3, 6)));
  // Search and suggest share one budget; only what the limiter says is asserted of search here.
  const searches = ['/v1/suggest?q=sho', '/v1/search?q=shoe', '/v1/suggest?q=shoe'];
  for (const [i, url] of searches.entries()) {
    const res = await get(app, url);
    t.not(res.statusCode, 429, url);
    t.equal(res.headers['ratelimit-limit'], '3');
    t.equal(res.headers['ratelimit-remaining'], String(2 - i));
  }

  t.test('when the search budget is spent, then search and suggest get 429', async (t) => {
    for (const url of ['/v1/search?q=more', '/v1/suggest?q=mo']) {
      t.equal((await get(app, url)).statusCode, 429, url);
    }
  });

  t.test(
    'when reads follow, then they still have their own budget, until it is spent',
    async (t) => {
      for (let i = 0; i < 6; i++) {
        const url = i % 2 === 0 ? '/v1/categories' : `/v1/products/${crypto.randomUUID()}`;
        const res = await get(app, url);
        t.not(res.statusCode, 429, url);
        t.equal(res.headers['ratelimit-limit'], '6');
      }
      t.equal((await get(app, '/v1/categories')).statusCode, 429);
    },
  );

  t.test('when a client is over, then the 429 is a problem with Retry-After', async (t) => {
    const res = await get(app, '/v1/search?q=shoe', { headers: { origin: SHOP } });
    t.equal(res.statusCode, 429);
    t.match(res.headers['content-type'], /^application\/problem\+json/);
    t.match(res.json(), {
      type: 'https://aisle.dev/problems/too_many_requests',
      title: 'Too many requests',
      status: 429,
      code: 'too_many_requests',
      detail: /more than 3 search requests in 60 s/,
    });
    const retryAfter = Number(res.headers['retry-after']);
    t.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter} s is within the window`);
    t.equal(res.headers['ratelimit-remaining'], '0');
    t.equal(res.headers['ratelimit-reset'], res.headers['retry-after']);
    t.equal(res.headers['access-control-allow-origin'], '*', 'a page can read why it was refused');
  });

  t.test('when another client calls, then its budget is untouched', async (t) => {
    const res = await get(app, '/v1/suggest?q=sho', { remoteAddress: '203.0.113.9' });
    t.equal(res.statusCode, 200);
    t.equal(res.headers['ratelimit-remaining'], '2');
  });

  t.test('when clients are refused, then the refusals are counted by budget', async (t) => {
    const metrics = (await get(app, '/metrics')).body;
    t.match(metrics, /aisle_rate_limited_total\{budget="search",service="catalog-read"\} [1-9]/);
  });
});

/** Requests whose count this instance has added to the shared counters in Redis. */
async function syncedRequests(app: FastifyInstance): Promise<number> {
  const metrics = (await get(app, '/metrics')).body;
  return Number(/^aisle_rate_limit_synced_total\{[^}]*\} (\d+)/m.exec(metrics)?.[1] ?? 0);
}

/** Until every request this instance counted has reached Redis (each sync is in the metric). */
const synced = (app: FastifyInstance, requests: number) =>
  waitFor(`${requests} requests synced to Redis`, async () =>
    (await syncedRequests(app)) >= requests ? true : undefined,
  );

t.test('Given two instances on one Redis, then a client has one budget on both', async (t) => {
  const config = await edgeConfig(t, limits(4, 100));
  const [a, b] = [await startApp(t, config), await startApp(t, config)];
  const suggest = async (app: FastifyInstance) => (await get(app, '/v1/suggest?q=sho')).statusCode;

  t.same([await suggest(a), await suggest(a)], [200, 200]);
  await synced(a, 2);
  t.same([await suggest(b), await suggest(b)], [200, 200], 'b adds to what a counted');
  await synced(b, 2);
  t.equal(await suggest(b), 429, "b's fifth request is over the shared budget");

  t.test('when the other instance syncs, then it refuses the client too', async (t) => {
    // a decides on the count of its last sync plus its own requests since: one sync interval
    // behind b, which is the excess docs/api.md allows per instance.
    t.equal(await suggest(a), 200);
    await synced(a, 3);
    t.same([await suggest(a), await suggest(b)], [429, 429]);
  });
});

t.test(
  'Given spent budgets, when probes, docs and the storefront are asked, none is limited',
  async (t) => {
    const app = await startApp(t, await edgeConfig(t, limits(1, 1)));
    await get(app, '/v1/suggest?q=sho');
    await get(app, '/v1/categories');
    t.equal((await get(app, '/v1/suggest?q=sho')).statusCode, 429);
    t.equal((await get(app, '/v1/categories')).statusCode, 429);
    const exempt = [
      '/health/live',
      '/health/ready',
      '/metrics',
      '/docs/json',
      '/',
      '/storefront/app.js',
    ];
    for (let round = 0; round < 3; round++) {
      for (const url of exempt) {
        const res = await get(app, url);
        t.equal(res.statusCode, 200, url);
        t.equal(res.headers['ratelimit-limit'], undefined, `${url} spends no budget`);
      }
      t.equal((await preflight(app, SHOP)).statusCode, 204);
    }
  },
);

t.test('Given a trusted proxy, then clients behind it have their own budgets', async (t) => {
  const app = await startApp(t, await edgeConfig(t, { ...limits(1, 1), TRUST_PROXY: '1' }));
  const from = (client: string) => ({ headers: { 'x-forwarded-for': client } });
  t.equal((await get(app, '/v1/suggest?q=a', from('198.51.100.1'))).statusCode, 200);
  t.equal((await get(app, '/v1/suggest?q=a', from('198.51.100.1'))).statusCode, 429);
  t.equal((await get(app, '/v1/suggest?q=a', from('198.51.100.2'))).statusCode, 200);
});

t.test('Given the limiter turned off, then nothing is counted or refused', async (t) => {
  const app = await startApp(
    t,
    await edgeConfig(t, { ...limits(1, 1), RATE_LIMIT_ENABLED: 'false' }),
  );
  for (let i = 0; i < 3; i++) {
    const res = await get(app, '/v1/suggest?q=sho');
    t.equal(res.statusCode, 200);
    t.equal(res.headers['ratelimit-limit'], undefined);
  }
});

interface StallingProxy {
  readonly url: string;
  /** From now on bytes are held, both ways, as if Redis hung. */
  stall(): void;
  /** The held bytes go through, in order, and forwarding goes on. */
  resume(): void;
}

/** A loopback proxy to Redis that can stop forwarding, like a Redis that hangs. */
async function stallingProxy(t: Teardowns, target: URL): Promise<StallingProxy> {
  let stalled = false;
  const held: (() => void)[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => socket.destroy());
    }
    const forward = (to: Socket) => (chunk: Buffer) => {
      if (stalled) held.push(() => to.write(chunk));
      else to.write(chunk);
    };
    client.on('data', forward(upstream));
    upstream.on('data', forward(client));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `redis://127.0.0.1:${port}`,
    stall: () => void (stalled = true),
    resume: () => {
      stalled = false;
      for (const write of held.splice(0)) write();
    },
  };
}

t.test('Given Redis goes away, then searches are answered and limited per instance', async (t) => {
  const proxy = await startTcpProxy(new URL(isolatedConfig(t).redisUrl));
  t.teardown(() => proxy.close());
  const app = await startApp(t, await edgeConfig(t, { ...limits(2, 2), REDIS_URL: proxy.url }));
  proxy.setDown(true);
  const statuses: number[] = [];
  for (let i = 0; i < 3; i++) {
    const started = Date.now();
    statuses.push((await get(app, '/v1/suggest?q=sho')).statusCode);
    t.ok(Date.now() - started < 1000, 'without waiting on the Redis that is away');
  }
  t.same(statuses, [200, 200, 429], 'this instance still counts on its own');
  await waitFor('the requests Redis missed in the metrics', async () => {
    const metrics = (await get(app, '/metrics')).body;
    return /aisle_rate_limit_uncounted_total\{[^}]*\} [1-9]/.test(metrics) ? true : undefined;
  });
});

t.test('Given Redis hangs, then no search waits on it', async (t) => {
  const proxy = await stallingProxy(t, new URL(isolatedConfig(t).redisUrl));
  const app = await startApp(
    t,
    await edgeConfig(t, {
      ...limits(5, 5),
      REDIS_URL: proxy.url,
      RATE_LIMIT_STORE_TIMEOUT_MS: '100',
      STORE_REQUEST_TIMEOUT_MS: '5000',
    }),
  );
  proxy.stall();
  // Teardowns run last-first: Redis answers again before the app closes its connections.
  t.teardown(() => proxy.resume());
  for (let i = 0; i < 3; i++) {
    const started = Date.now();
    const res = await get(app, '/v1/suggest?q=sho');
    const elapsed = Date.now() - started;
    t.equal(res.statusCode, 200);
    t.ok(elapsed < 1000, `answered without waiting on Redis (${elapsed} ms)`);
  }
  await waitFor('a sync past its 100 ms deadline', async () => {
    const metrics = (await get(app, '/metrics')).body;
    return /aisle_rate_limit_uncounted_total\{[^}]*\} [1-9]/.test(metrics) ? true : undefined;
  });
});

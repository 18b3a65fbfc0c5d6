import { createServer, type Server, type Socket } from 'node:net';
import t from 'tap';
import { buildCatalogReadApp } from '../services/catalog-read/app.js';
import { openRedis } from '../shared/stores/redis.js';
import { openSearch } from '../shared/stores/search/open.js';
import { isolatedConfig, type Teardowns } from './support/isolation.js';
import { silentLogger } from './support/logger.js';

/** A "search engine" that accepts connections and never answers a byte. */
async function blackhole(t: Teardowns): Promise<number> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  const address = server.address();
  return typeof address === 'object' && address !== null ? address.port : 0;
}

t.test(
  'When the search engine never answers, then search is a prompt 503 with Retry-After',
  async (t) => {
    const port = await blackhole(t);
    const config = isolatedConfig(t, {
      SEARCH_URL: `http://127.0.0.1:${port}`,
      STORE_REQUEST_TIMEOUT_MS: '300',
    });
    const app = await buildCatalogReadApp({
      config,
      logger: silentLogger,
      search: openSearch(config, 'request'),
      redis: openRedis(config.redisUrl, { commandTimeoutMs: config.storeRequestTimeoutMs }),
      usage: () => ({ recordSearch: () => undefined, recordView: () => undefined }),
    });
    t.teardown(() => app.close());
    await app.ready();
    for (const url of ['/v1/search?q=shoe', '/v1/search', '/v1/suggest?q=sho']) {
      const started = Date.now();
      const res = await app.inject({ method: 'GET', url });
      const elapsed = Date.now() - started;
      t.equal(res.statusCode, 503, url);
      t.equal(res.headers['retry-after'], '1', url);
      t.match(res.headers['content-type'], /application\/problem\+json/, url);
      t.ok(
        elapsed < 5_000,
        `${url} answered within its deadline, not a client default (${elapsed} ms)`,
      );
    }
  },
);

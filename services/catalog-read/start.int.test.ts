import t from 'tap';
import { openRedis } from '../../shared/stores/redis.js';
import { openSearch } from '../../shared/stores/search/open.js';
import { isolatedConfig } from '../../test/support/isolation.js';
import { silentLogger } from '../../test/support/logger.js';
import { buildCatalogReadApp } from './app.js';

/** Nothing listens on port 1: every connection is refused at once, as when Redis is down. */
const UNREACHABLE_REDIS = 'redis://127.0.0.1:1';

t.test('catalog-read starts while Redis is away, and says it is not ready', async (t) => {
  const config = { ...isolatedConfig(t), redisUrl: UNREACHABLE_REDIS, rateLimitEnabled: false };
  const started = Date.now();
  const building = buildCatalogReadApp({
    config,
    logger: silentLogger,
    search: openSearch(config),
    redis: openRedis(config.redisUrl, { commandTimeoutMs: 500 }),
    usage: () => ({ recordSearch: () => undefined, recordView: () => undefined }),
  }).then(async (app) => {
    await app.ready();
    return app;
  });
  const deadline = new Promise<'hung'>((resolve) => {
    setTimeout(() => resolve('hung'), 20_000).unref();
  });
  const app = await Promise.race([building, deadline]);
  if (app === 'hung') {
    t.fail('buildCatalogReadApp did not finish within 20 s with Redis away');
    return;
  }
  // The subscriber's QUIT would wait for a Redis that never comes; a disconnect is enough here.
  t.teardown(() => app.close());
  t.ok(Date.now() - started < 20_000, `built in ${Date.now() - started} ms`);
  const live = await app.inject('/health/live');
  t.equal(live.statusCode, 200, 'alive');
  const ready = await app.inject('/health/ready');
  t.equal(ready.statusCode, 503, 'not ready without Redis');
});

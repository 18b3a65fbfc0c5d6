import type { FastifyInstance } from 'fastify';
import type { Config } from '../../shared/config/index.js';
import { createServer } from '../../shared/http/server.js';
import type { Logger } from '../../shared/logging/logger.js';
import '../../shared/stores/decorators.js';
import type { Redis } from '../../shared/stores/redis.js';
import { productIndexNames } from '../../shared/read-models/search/index-setup.js';
import type { SearchEngine } from '../../shared/stores/search/engine.js';
import { storePlugin, type StoreHandle } from '../../shared/stores/store.js';
import type { CatalogReadContext } from './context.js';
import { categoryRoutes } from './categories/routes.js';
import { productRoutes } from './products/routes.js';
import { VersionChannel } from '../../shared/read-models/detail/version-waiter.js';
import { searchRoutes } from './search/routes.js';
import { startMerchandising } from './search/merchandising.js';
import { startSearchGeneration } from './search/generation.js';
import { storefrontPlugin } from './storefront/plugin.js';
import { closeRedis, createRedis } from '../../shared/stores/redis.js';
import { CategoryTreeCache } from '../../shared/read-models/detail/category-revision.js';
import { detailKeys } from '../../shared/read-models/detail/document.js';
import type { UsageRecorderFactory } from './usage/recorder.js';
import { registerPublicEdge } from './edge/plugin.js';
import { varyOnMinVersion } from './edge/vary.js';

export interface CatalogReadDeps {
  readonly config: Config;
  readonly logger: Logger;
  readonly search: StoreHandle<SearchEngine>;
  readonly redis: StoreHandle<Redis>;
  readonly usage: UsageRecorderFactory;
}

/** The public storefront API: search, suggestions and product detail from the read models. */
export async function buildCatalogReadApp(deps: CatalogReadDeps): Promise<FastifyInstance> {
  const { config } = deps;
  const app = await createServer({
    service: 'catalog-read',
    description: 'Storefront search, suggestions and product detail.',
    logger: deps.logger,
    bodyLimitBytes: config.bodyLimitBytes,
    readinessTimeoutMs: config.readinessTimeoutMs,
    ...(config.trustProxy === undefined ? {} : { trustProxy: config.trustProxy }),
  });
  await app.register(storePlugin, { handle: deps.search, decorator: 'searchEngine' });
  await app.register(storePlugin, { handle: deps.redis, decorator: 'redis' });
  const usage = deps.usage(app.metrics);
  app.addHook('preClose', async () => {
    await usage.close?.();
  });
  const context: CatalogReadContext = {
    config,
    search: deps.search.client,
    alias: productIndexNames(config.searchIndexPrefix).alias,
    redis: deps.redis.client,
    categoryTrees: new CategoryTreeCache(deps.redis.client, config.redisKeyPrefix),
    usage,
  };
  const subscriber = createRedis(config.redisUrl, 'blocking');
  subscriber.on('error', () => undefined);
  const announcements = new VersionChannel(subscriber, detailKeys.versions(config.redisKeyPrefix));
  await announcements.start();
  app.addHook('onClose', () => closeRedis(subscriber));
  const merchandising = await startMerchandising(app, config, deps.redis.client);
  const generation = startSearchGeneration(app, config, deps.redis.client);
  await registerPublicEdge(app, config, deps.redis.client);
  varyOnMinVersion(app);
  await app.register(
    (v1, _opts, done) => {
      searchRoutes(v1, context, merchandising, generation);
      productRoutes(v1, context, announcements);
      categoryRoutes(v1, context);
      done();
    },
    { prefix: '/v1' },
  );
  await app.register(storefrontPlugin);
  return app;
}

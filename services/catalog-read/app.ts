import type { FastifyInstance } from 'fastify';
import type { Config } from '../../shared/config/index.js';
import { createServer } from '../../shared/http/server.js';
import type { Logger } from '../../shared/logging/logger.js';
import '../../shared/stores/decorators.js';
import type { Redis } from '../../shared/stores/redis.js';
import type { SearchEngine } from '../../shared/stores/search/engine.js';
import { storePlugin, type StoreHandle } from '../../shared/stores/store.js';

export interface CatalogReadDeps {
  readonly config: Config;
  readonly logger: Logger;
  readonly search: StoreHandle<SearchEngine>;
  readonly redis: StoreHandle<Redis>;
}

/** The public storefront API: search, suggestions and product detail from the read models. */
export async function buildCatalogReadApp(deps: CatalogReadDeps): Promise<FastifyInstance> {
  const app = await createServer({
    service: 'catalog-read',
    description: 'Storefront search, suggestions and product detail.',
    logger: deps.logger,
    bodyLimitBytes: deps.config.bodyLimitBytes,
    readinessTimeoutMs: deps.config.readinessTimeoutMs,
  });
  await app.register(storePlugin, { handle: deps.search, decorator: 'searchEngine' });
  await app.register(storePlugin, { handle: deps.redis, decorator: 'redis' });
  return app;
}

import type { FastifyInstance } from 'fastify';
import type { Config } from '../../shared/config/index.js';
import { createServer } from '../../shared/http/server.js';
import type { Logger } from '../../shared/logging/logger.js';
import '../../shared/stores/decorators.js';
import type { Redis } from '../../shared/stores/redis.js';
import type { SearchEngine } from '../../shared/stores/search/engine.js';
import { attachProjectionWorker, batchOptions } from '../../shared/projection/attach.js';
import { storePlugin, type StoreHandle } from '../../shared/stores/store.js';
import { searchProjection } from '../../shared/read-models/search/projection.js';
import { searchWriteTargets } from '../../shared/read-models/search/index-setup.js';
import { bumpSearchGeneration } from '../../shared/read-models/search/generation.js';

export interface SearchProjectorDeps {
  readonly config: Config;
  readonly logger: Logger;
  readonly search: StoreHandle<SearchEngine>;
  readonly redis: StoreHandle<Redis>;
}

/** Projects product events into the search index behind its alias. */
export async function buildSearchProjectorApp(deps: SearchProjectorDeps): Promise<FastifyInstance> {
  const app = await createServer({
    service: 'projector-search',
    description: 'Search projector: product events to the storefront search index.',
    logger: deps.logger,
    bodyLimitBytes: deps.config.bodyLimitBytes,
    readinessTimeoutMs: deps.config.readinessTimeoutMs,
  });
  await app.register(storePlugin, { handle: deps.search, decorator: 'searchEngine' });
  await app.register(storePlugin, { handle: deps.redis, decorator: 'redis' });
  const { config } = deps;
  const redis = deps.redis.client;
  const targets = searchWriteTargets(redis, config);
  const projection = searchProjection(deps.search.client, targets, batchOptions(config), () =>
    bumpSearchGeneration(redis, config.redisKeyPrefix),
  );
  attachProjectionWorker(app, config, 'search', redis, projection);
  return app;
}

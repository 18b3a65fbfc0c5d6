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
import { bumpSearchGeneration } from '../../shared/read-models/search/generation.js';
import {
  productIndexNames,
  searchWriteTargets,
} from '../../shared/read-models/search/index-setup.js';
import { VisibilityAnnouncer } from '../../shared/read-models/search/visibility.js';

/** Forced refreshes at most this often (the template refreshes every 500 ms by itself). */
const ANNOUNCE_MIN_INTERVAL_MS = 200;
const ANNOUNCE_RETRY_MS = 1_000;

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
  const engine = deps.search.client;
  let failing = false;
  const announcer = new VisibilityAnnouncer({
    refresh: () => engine.refresh(productIndexNames(config.searchIndexPrefix).alias),
    announce: async () => {
      await bumpSearchGeneration(redis, config.redisKeyPrefix);
      if (failing) app.log.info('search index generation announced again');
      failing = false;
    },
    minIntervalMs: ANNOUNCE_MIN_INTERVAL_MS,
    retryMs: ANNOUNCE_RETRY_MS,
    onError: (error) => {
      // One warning per outage; catalog-read serves short-lived answers meanwhile.
      if (!failing) app.log.warn({ err: error }, 'search index generation not announced; retrying');
      failing = true;
    },
  });
  // A projector that stopped between a write and its announcement announces at start.
  announcer.request();
  app.addHook('preClose', () => announcer.close());
  const projection = searchProjection(engine, targets, batchOptions(config), () =>
    announcer.request(),
  );
  attachProjectionWorker(app, config, 'search', redis, projection);
  return app;
}

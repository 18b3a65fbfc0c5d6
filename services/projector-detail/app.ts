import type { FastifyInstance } from 'fastify';
import type { Config } from '../../shared/config/index.js';
import { createServer } from '../../shared/http/server.js';
import type { Logger } from '../../shared/logging/logger.js';
import '../../shared/stores/decorators.js';
import type { Redis } from '../../shared/stores/redis.js';
import { attachProjectionWorker } from '../../shared/projection/attach.js';
import { storePlugin, type StoreHandle } from '../../shared/stores/store.js';
import { detailProjection } from '../../shared/read-models/detail/projection.js';
import { merchandisingProjection } from '../../shared/read-models/merchandising/projection.js';

export interface DetailProjectorDeps {
  readonly config: Config;
  readonly logger: Logger;
  readonly redis: StoreHandle<Redis>;
}

/**
 * Projects product and category events into pre-rendered detail documents in Redis, and
 * merchandising events (synonyms, query rules) into the merchandising read model beside them.
 */
export async function buildDetailProjectorApp(deps: DetailProjectorDeps): Promise<FastifyInstance> {
  const app = await createServer({
    service: 'projector-detail',
    description:
      'Detail projector: product events to pre-rendered Redis documents, merchandising to its read model.',
    logger: deps.logger,
    bodyLimitBytes: deps.config.bodyLimitBytes,
    readinessTimeoutMs: deps.config.readinessTimeoutMs,
  });
  await app.register(storePlugin, { handle: deps.redis, decorator: 'redis' });
  const redis = deps.redis.client;
  const detail = detailProjection(redis, deps.config.redisKeyPrefix);
  // Merchandising is a read model of its own in the same Redis; its events share this queue.
  const merchandising = merchandisingProjection(redis, deps.config.redisKeyPrefix);
  attachProjectionWorker(app, deps.config, 'detail', redis, {
    apply: (event) =>
      event.aggregate === 'synonyms' || event.aggregate === 'search-rule'
        ? merchandising.apply(event)
        : detail.apply(event),
  });
  return app;
}

import type { FastifyInstance } from 'fastify';
import type { Config } from '../../shared/config/index.js';
import { bearerAuthPlugin } from '../../shared/http/bearer-auth.js';
import { createServer } from '../../shared/http/server.js';
import type { Logger } from '../../shared/logging/logger.js';
import type { ClickHouseClient } from '../../shared/stores/clickhouse.js';
import '../../shared/stores/decorators.js';
import { storePlugin, type StoreHandle } from '../../shared/stores/store.js';
import { catalogRoutes } from './catalog-routes.js';
import { productRoutes } from './product-routes.js';
import { searchRoutes } from './search-routes.js';
import { Problem } from '../../shared/http/problems.js';
import type { Redis } from '../../shared/stores/redis.js';
import { initialSynonyms } from '../../shared/read-models/merchandising/initial.js';
import { currentView } from '../../shared/read-models/merchandising/load.js';

export interface AnalyticsApiDeps {
  readonly config: Config;
  readonly logger: Logger;
  readonly clickhouse: StoreHandle<ClickHouseClient>;
  /** The merchandising read model, which the search reports link queries to. */
  readonly redis: StoreHandle<Redis>;
}

/** Merchandiser questions answered from ClickHouse (and, for search coverage, Redis). */
export async function buildAnalyticsApiApp(deps: AnalyticsApiDeps): Promise<FastifyInstance> {
  const app = await createServer({
    service: 'analytics-api',
    description: 'What sells, what is searched and not found, price and stock history.',
    logger: deps.logger,
    bodyLimitBytes: deps.config.bodyLimitBytes,
    readinessTimeoutMs: deps.config.readinessTimeoutMs,
  });
  await app.register(storePlugin, { handle: deps.clickhouse, decorator: 'clickhouse' });
  await app.register(storePlugin, { handle: deps.redis, decorator: 'redis' });
  const clickhouse = deps.clickhouse.client;
  const initial = initialSynonyms();
  const merchandising = () =>
    currentView(deps.redis.client, deps.config.redisKeyPrefix, initial).catch(() => {
      throw new Problem(
        'unavailable',
        'search merchandising is temporarily unavailable',
        undefined,
        { 'retry-after': '1' },
      );
    });
  await app.register(
    async (analytics) => {
      await analytics.register(bearerAuthPlugin, {
        tokens: deps.config.analyticsTokens ?? [],
        realm: 'aisle-analytics',
      });
      productRoutes(analytics, { clickhouse });
      searchRoutes(analytics, { clickhouse, merchandising });
      catalogRoutes(analytics, { clickhouse });
    },
    { prefix: '/analytics/v1' },
  );
  return app;
}

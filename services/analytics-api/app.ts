import type { FastifyInstance } from 'fastify';
import type { Config } from '../../shared/config/index.js';
import { createServer } from '../../shared/http/server.js';
import type { Logger } from '../../shared/logging/logger.js';
import type { ClickHouseClient } from '../../shared/stores/clickhouse.js';
import '../../shared/stores/decorators.js';
import { storePlugin, type StoreHandle } from '../../shared/stores/store.js';

export interface AnalyticsApiDeps {
  readonly config: Config;
  readonly logger: Logger;
  readonly clickhouse: StoreHandle<ClickHouseClient>;
}

/** Merchandiser questions answered from ClickHouse. */
export async function buildAnalyticsApiApp(deps: AnalyticsApiDeps): Promise<FastifyInstance> {
  const app = await createServer({
    service: 'analytics-api',
    description: 'What sells, what is searched and not found, price and stock history.',
    logger: deps.logger,
    bodyLimitBytes: deps.config.bodyLimitBytes,
    readinessTimeoutMs: deps.config.readinessTimeoutMs,
  });
  await app.register(storePlugin, { handle: deps.clickhouse, decorator: 'clickhouse' });
  return app;
}

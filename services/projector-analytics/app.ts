import type { FastifyInstance } from 'fastify';
import type { Config } from '../../shared/config/index.js';
import { createServer } from '../../shared/http/server.js';
import type { Logger } from '../../shared/logging/logger.js';
import type { ClickHouseClient } from '../../shared/stores/clickhouse.js';
import '../../shared/stores/decorators.js';
import type { Redis } from '../../shared/stores/redis.js';
import {
  attachProjectionWorker,
  attachUsageWorker,
  batchOptions,
} from '../../shared/projection/attach.js';
import { storePlugin, type StoreHandle } from '../../shared/stores/store.js';
import { analyticsProjection } from '../../shared/read-models/analytics/projection.js';
import { usageProjection } from '../../shared/read-models/analytics/usage-projection.js';

export interface AnalyticsProjectorDeps {
  readonly config: Config;
  readonly logger: Logger;
  readonly clickhouse: StoreHandle<ClickHouseClient>;
  readonly redis: StoreHandle<Redis>;
}

/** Projects catalog events and storefront usage into ClickHouse in batches. */
export async function buildAnalyticsProjectorApp(
  deps: AnalyticsProjectorDeps,
): Promise<FastifyInstance> {
  const app = await createServer({
    service: 'projector-analytics',
    description: 'Analytics projector: catalog events and storefront usage to ClickHouse.',
    logger: deps.logger,
    bodyLimitBytes: deps.config.bodyLimitBytes,
    readinessTimeoutMs: deps.config.readinessTimeoutMs,
  });
  await app.register(storePlugin, { handle: deps.clickhouse, decorator: 'clickhouse' });
  await app.register(storePlugin, { handle: deps.redis, decorator: 'redis' });
  const projection = analyticsProjection(deps.clickhouse.client, batchOptions(deps.config));
  attachProjectionWorker(app, deps.config, 'analytics', deps.redis.client, projection);
  const usage = usageProjection(deps.clickhouse.client, {
    onRejected: ({ event, reason }) =>
      app.log.error(
        { projection: 'usage', eventId: event.eventId, kind: event.kind, reason },
        'usage event rejected: left out, the rest of its job applied',
      ),
  });
  attachUsageWorker(app, deps.config, usage);
  return app;
}

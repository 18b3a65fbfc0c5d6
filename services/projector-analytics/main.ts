import { runService } from '../../shared/lifecycle/run-service.js';
import { clickhouseFromConfig, clickhouseOptions } from '../../shared/stores/open.js';
import { openRedis } from '../../shared/stores/redis.js';
import { buildAnalyticsProjectorApp } from './app.js';
import { bootstrapClickHouse } from '../../shared/read-models/analytics/tables.js';

await runService({
  service: 'projector-analytics',
  build: async (config, logger) => {
    const report = await bootstrapClickHouse(clickhouseOptions(config));
    logger.info(report, 'clickhouse tables checked');
    return buildAnalyticsProjectorApp({
      config,
      logger,
      clickhouse: clickhouseFromConfig(config),
      redis: openRedis(config.redisUrl),
    });
  },
});

import { runService } from '../../shared/lifecycle/run-service.js';
import { clickhouseFromConfig } from '../../shared/stores/open.js';
import { openRedis } from '../../shared/stores/redis.js';
import { buildAnalyticsApiApp } from './app.js';

await runService({
  service: 'analytics-api',
  require: ['analyticsTokens'],
  build: (config, logger) =>
    Promise.resolve(
      buildAnalyticsApiApp({
        config,
        logger,
        clickhouse: clickhouseFromConfig(config),
        redis: openRedis(config.redisUrl),
      }),
    ),
});

import { runService } from '../../shared/lifecycle/run-service.js';
import { openRedis } from '../../shared/stores/redis.js';
import { openSearch } from '../../shared/stores/search/open.js';
import { buildCatalogReadApp } from './app.js';

await runService({
  service: 'catalog-read',
  build: (config, logger) =>
    buildCatalogReadApp({
      config,
      logger,
      search: openSearch(config),
      redis: openRedis(config.redisUrl),
    }),
});

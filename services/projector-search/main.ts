import { runService } from '../../shared/lifecycle/run-service.js';
import { openRedis } from '../../shared/stores/redis.js';
import { bootstrapSearch } from '../../shared/read-models/search/index-setup.js';
import { openSearch } from '../../shared/stores/search/open.js';
import { buildSearchProjectorApp } from './app.js';

await runService({
  service: 'projector-search',
  build: async (config, logger) => {
    const search = openSearch(config);
    const report = await bootstrapSearch(search.client, config.searchIndexPrefix);
    logger.info(report, 'search index template and alias checked');
    return buildSearchProjectorApp({ config, logger, search, redis: openRedis(config.redisUrl) });
  },
});

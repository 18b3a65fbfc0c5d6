import { runService } from '../../shared/lifecycle/run-service.js';
import { assertNoEviction, openRedis } from '../../shared/stores/redis.js';
import { buildDetailProjectorApp } from './app.js';

await runService({
  service: 'projector-detail',
  build: async (config, logger) => {
    const redis = openRedis(config.redisUrl);
    await assertNoEviction(redis.client);
    return buildDetailProjectorApp({ config, logger, redis });
  },
});

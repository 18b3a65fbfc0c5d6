import type { Queue } from 'bullmq';
import type { UsageBatch } from '../../shared/events/usage-events.js';
import { runService } from '../../shared/lifecycle/run-service.js';
import { openQueues } from '../../shared/stores/queues.js';
import { openRedis } from '../../shared/stores/redis.js';
import { openSearch } from '../../shared/stores/search/open.js';
import { storePlugin } from '../../shared/stores/store.js';
import { buildCatalogReadApp } from './app.js';
import { QueueUsageRecorder } from './usage/queue-recorder.js';

await runService({
  service: 'catalog-read',
  build: async (config, logger) => {
    const queues = openQueues(config.redisUrl, config.redisKeyPrefix, ['usage']);
    const app = await buildCatalogReadApp({
      config,
      logger,
      search: openSearch(config, 'request'),
      redis: openRedis(config.redisUrl, { commandTimeoutMs: config.storeRequestTimeoutMs }),
      usage: (registry) =>
        new QueueUsageRecorder({
          queue: queues.client.usage as Queue<UsageBatch>,
          registry,
          flushEveryMs: config.usageFlushMs,
        }),
    });
    await app.register(storePlugin, { handle: queues, decorator: 'queues' });
    return app;
  },
});

import { runService } from '../../shared/lifecycle/run-service.js';
import { postgresFromConfig } from '../../shared/stores/open.js';
import { openQueues } from '../../shared/stores/queues.js';
import { buildOutboxRelayApp } from './app.js';

await runService({
  service: 'outbox-relay',
  build: (config, logger) =>
    buildOutboxRelayApp({
      config,
      logger,
      postgres: postgresFromConfig(config, 'outbox-relay'),
      queues: openQueues(config.redisUrl, config.redisKeyPrefix, ['search', 'detail', 'analytics']),
    }),
});

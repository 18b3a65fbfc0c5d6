import type { FastifyInstance } from 'fastify';
import type { Config } from '../../shared/config/index.js';
import { createServer } from '../../shared/http/server.js';
import type { Logger } from '../../shared/logging/logger.js';
import '../../shared/stores/decorators.js';
import type { Pool } from '../../shared/stores/postgres.js';
import { registerQueueDepthGauge, type Queues } from '../../shared/stores/queues.js';
import { storePlugin, type StoreHandle } from '../../shared/stores/store.js';

export interface OutboxRelayDeps {
  readonly config: Config;
  readonly logger: Logger;
  readonly postgres: StoreHandle<Pool>;
  readonly queues: StoreHandle<Queues>;
}

/** Moves committed outbox events into the projection queues; serves health and metrics only. */
export async function buildOutboxRelayApp(deps: OutboxRelayDeps): Promise<FastifyInstance> {
  const app = await createServer({
    service: 'outbox-relay',
    description: 'Outbox relay: Postgres outbox to BullMQ projection queues.',
    logger: deps.logger,
    bodyLimitBytes: deps.config.bodyLimitBytes,
    readinessTimeoutMs: deps.config.readinessTimeoutMs,
  });
  await app.register(storePlugin, { handle: deps.postgres, decorator: 'pg' });
  await app.register(storePlugin, { handle: deps.queues, decorator: 'queues' });
  registerQueueDepthGauge(app.metrics, deps.queues.client);
  return app;
}

import type { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../shared/config/index.js';
import { projectionNames, type ProjectionName } from '../../shared/events/queues.js';
import { createServer } from '../../shared/http/server.js';
import type { Logger } from '../../shared/logging/logger.js';
import '../../shared/stores/decorators.js';
import type { Pool } from '../../shared/stores/postgres.js';
import { registerQueueDepthGauge, type Queues } from '../../shared/stores/queues.js';
import { storePlugin, type StoreHandle } from '../../shared/stores/store.js';
import { RelayLoop } from './loop.js';
import { relayMetrics } from './relay.js';

export interface OutboxRelayDeps {
  readonly config: Config;
  readonly logger: Logger;
  readonly postgres: StoreHandle<Pool>;
  readonly queues: StoreHandle<Queues>;
}

function projectionQueues(queues: Queues): Record<ProjectionName, Queue> {
  return Object.fromEntries(
    projectionNames.map((name) => {
      const queue = queues[name];
      if (queue === undefined) throw new Error(`the relay needs the ${name} queue`);
      return [name, queue];
    }),
  ) as Record<ProjectionName, Queue>;
}

/** Moves committed outbox events into the projection queues; serves health and metrics. */
export async function buildOutboxRelayApp(deps: OutboxRelayDeps): Promise<FastifyInstance> {
  const { config } = deps;
  const app = await createServer({
    service: 'outbox-relay',
    description: 'Outbox relay: Postgres outbox to BullMQ projection queues.',
    logger: deps.logger,
    bodyLimitBytes: config.bodyLimitBytes,
    readinessTimeoutMs: config.readinessTimeoutMs,
  });
  await app.register(storePlugin, { handle: deps.postgres, decorator: 'pg' });
  await app.register(storePlugin, { handle: deps.queues, decorator: 'queues' });
  registerQueueDepthGauge(app.metrics, deps.queues.client);
  const loop = new RelayLoop({
    pool: deps.postgres.client,
    queues: projectionQueues(deps.queues.client),
    batchSize: config.outboxBatchSize,
    attempts: config.projectionAttempts,
    databaseUrl: config.databaseUrl,
    schema: config.databaseSchema,
    pollIntervalMs: config.outboxPollIntervalMs,
    retentionHours: config.outboxRetentionHours,
    metrics: relayMetrics(app.metrics, deps.postgres.client),
    logger: deps.logger,
  });
  app.addHook('onReady', (done) => {
    loop.start();
    done();
  });
  // Stops relaying (finishing the batch in flight) before the stores close.
  app.addHook('preClose', () => loop.stop());
  return app;
}

import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/index.js';
import type { CatalogEvent } from '../events/catalog-events.js';
import type { ProjectionName } from '../events/queues.js';
import type { Redis } from '../stores/redis.js';
import { startProjectionWorker, type ProjectionWorker } from './worker.js';

export interface ProjectionHooks {
  readonly apply: (event: CatalogEvent) => Promise<unknown>;
  readonly drain?: () => Promise<void>;
}

/**
 * Runs a projection worker for the lifetime of a service's app: it starts taking jobs once the
 * app is ready, and on close it stops taking jobs, finishes the active ones and drains the
 * projection before the stores close.
 */
export function attachProjectionWorker(
  app: FastifyInstance,
  config: Config,
  projection: ProjectionName,
  redis: Redis,
  hooks: ProjectionHooks,
): void {
  let worker: ProjectionWorker | undefined;
  app.addHook('onReady', (done) => {
    worker = startProjectionWorker({
      projection,
      redisUrl: config.redisUrl,
      redisKeyPrefix: config.redisKeyPrefix,
      concurrency: config.projectionConcurrency,
      lockMs: config.projectionLockMs,
      apply: async (event) => {
        await hooks.apply(event);
      },
      ...(hooks.drain ? { drain: hooks.drain } : {}),
      registry: app.metrics,
      logger: app.log as never,
      redis,
    });
    done();
  });
  app.addHook('preClose', async () => {
    await worker?.close();
  });
}

export const batchOptions = (config: Config) => ({
  maxItems: config.projectionConcurrency,
  maxWaitMs: config.projectionBatchWaitMs,
});

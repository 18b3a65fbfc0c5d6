import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/index.js';
import type { CatalogEvent } from '../events/catalog-events.js';
import type { ProjectionName } from '../events/queues.js';
import type { UsageBatch } from '../events/usage-events.js';
import type { Redis } from '../stores/redis.js';
import { startProjectionWorker, startUsageWorker, type WorkerSettings } from './worker.js';

export interface ProjectionHooks {
  readonly apply: (event: CatalogEvent) => Promise<unknown>;
  readonly drain?: () => Promise<void>;
}

interface Closable {
  close(): Promise<void>;
}

/** The worker settings every projector takes from its config and app. */
function workerSettings(app: FastifyInstance, config: Config): WorkerSettings {
  return {
    redisUrl: config.redisUrl,
    redisKeyPrefix: config.redisKeyPrefix,
    concurrency: config.projectionConcurrency,
    lockMs: config.projectionLockMs,
    registry: app.metrics,
    logger: app.log as never,
  };
}

/**
 * Runs a worker for the lifetime of a service's app: it starts taking jobs once the app is
 * ready, and on close it stops taking jobs, finishes the active ones and drains before the
 * stores close.
 */
function attachWorker(app: FastifyInstance, start: () => Closable): void {
  let worker: Closable | undefined;
  app.addHook('onReady', (done) => {
    worker = start();
    done();
  });
  app.addHook('preClose', async () => {
    await worker?.close();
  });
}

export function attachProjectionWorker(
  app: FastifyInstance,
  config: Config,
  projection: ProjectionName,
  redis: Redis,
  hooks: ProjectionHooks,
): void {
  attachWorker(app, () =>
    startProjectionWorker({
      ...workerSettings(app, config),
      projection,
      apply: async (event) => {
        await hooks.apply(event);
      },
      ...(hooks.drain ? { drain: hooks.drain } : {}),
      redis,
    }),
  );
}

export interface UsageHooks {
  /** Applies one job: a batch of usage events, as the storefront sent it. */
  readonly apply: (batch: UsageBatch) => Promise<void>;
}

/** The storefront usage queue, worked with the same settings, metrics and logs as projections. */
export function attachUsageWorker(app: FastifyInstance, config: Config, hooks: UsageHooks): void {
  attachWorker(app, () =>
    startUsageWorker({ ...workerSettings(app, config), apply: (batch) => hooks.apply(batch) }),
  );
}

export const batchOptions = (config: Config) => ({
  maxItems: config.projectionConcurrency,
  maxWaitMs: config.projectionBatchWaitMs,
});

import { Worker, type Job } from 'bullmq';
import { Counter, Histogram, type Registry } from 'prom-client';
import type { CatalogEvent } from '../events/catalog-events.js';
import { bullPrefix, queueNames, type ProjectionName } from '../events/queues.js';
import type { Logger } from '../logging/logger.js';
import { closeRedis, createRedis, type Redis } from '../stores/redis.js';

export interface ProjectionWorkerOptions {
  readonly projection: ProjectionName;
  readonly redisUrl: string;
  readonly redisKeyPrefix: string;
  /** Jobs in flight at once; with a batching projection this is also the largest batch. */
  readonly concurrency: number;
  /** How long an active job stays locked; jobs of a dead worker are retried after it. */
  readonly lockMs?: number;
  readonly apply: (event: CatalogEvent) => Promise<void>;
  /** Runs after the worker stopped taking jobs, e.g. to flush a batch. */
  readonly drain?: () => Promise<void>;
  readonly registry: Registry;
  readonly logger: Logger;
  /** For recording the last applied event (read by `aisle status`). */
  readonly redis: Redis;
}

export interface ProjectionWorker {
  readonly worker: Worker<CatalogEvent>;
  close(): Promise<void>;
}

export const lastAppliedKey = (prefix: string, projection: ProjectionName): string =>
  `${prefix}:projection:${projection}:last-applied`;

function metricsFor(registry: Registry, projection: ProjectionName) {
  const lag =
    (registry.getSingleMetric('aisle_projection_lag_seconds') as Histogram | undefined) ??
    new Histogram({
      name: 'aisle_projection_lag_seconds',
      help: 'Time from a change being committed to this projection applying it.',
      labelNames: ['projection'] as const,
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers: [registry],
    });
  const outcomes =
    (registry.getSingleMetric('aisle_projection_events_total') as Counter | undefined) ??
    new Counter({
      name: 'aisle_projection_events_total',
      help: 'Projection jobs by outcome: applied, retried, dead-lettered.',
      labelNames: ['projection', 'outcome'] as const,
      registers: [registry],
    });
  return {
    applied: (seconds: number) => {
      lag.observe({ projection }, seconds);
      outcomes.inc({ projection, outcome: 'applied' });
    },
    failed: (final: boolean) =>
      outcomes.inc({ projection, outcome: final ? 'dead_lettered' : 'retried' }),
  };
}

/**
 * A BullMQ worker for one projection queue. Failed jobs retry with the backoff set by the relay;
 * a job that throws UnrecoverableError (a poison event) or runs out of attempts stays in the
 * failed set (the dead-letter state) without blocking the others. close() stops taking jobs,
 * lets active ones finish, then drains the projection.
 */
export function startProjectionWorker(options: ProjectionWorkerOptions): ProjectionWorker {
  const { projection, logger } = options;
  const connection = createRedis(options.redisUrl, 'blocking');
  connection.on('error', () => undefined);
  const metrics = metricsFor(options.registry, projection);
  const lastKey = lastAppliedKey(options.redisKeyPrefix, projection);

  const worker = new Worker<CatalogEvent>(
    queueNames[projection],
    async (job: Job<CatalogEvent>) => {
      const event = job.data;
      await options.apply(event);
      const appliedAt = Date.now();
      metrics.applied((appliedAt - Date.parse(event.occurredAt)) / 1000);
      await options.redis
        .hset(lastKey, {
          eventId: event.eventId,
          type: event.type,
          version: event.version,
          occurredAt: event.occurredAt,
          appliedAt: new Date(appliedAt).toISOString(),
        })
        .catch(() => undefined);
    },
    {
      connection,
      prefix: bullPrefix(options.redisKeyPrefix),
      concurrency: options.concurrency,
      ...(options.lockMs === undefined
        ? {}
        : { lockDuration: options.lockMs, stalledInterval: options.lockMs }),
    },
  );
  worker.on('error', (error) => logger.warn({ err: error, projection }, 'projection worker error'));
  worker.on('failed', (job, error) => {
    const final =
      job === undefined ||
      error.name === 'UnrecoverableError' ||
      job.attemptsMade >= (job.opts.attempts ?? 1);
    metrics.failed(final);
    const log = { err: error, projection, jobId: job?.id, attemptsMade: job?.attemptsMade };
    if (final)
      logger.error(log, 'projection job dead-lettered (replay with: aisle dead-letters replay)');
    else logger.warn(log, 'projection job failed; it will be retried');
  });

  return {
    worker,
    close: async () => {
      await worker.close();
      await options.drain?.();
      await closeRedis(connection);
    },
  };
}

import { Worker, type Job } from 'bullmq';
import { Counter, Histogram, type Registry } from 'prom-client';
import type { CatalogEvent } from '../events/catalog-events.js';
import { bullPrefix, queueNames, type ProjectionName, type QueueKey } from '../events/queues.js';
import type { UsageBatch } from '../events/usage-events.js';
import type { Logger } from '../logging/logger.js';
import { closeRedis, createRedis, type Redis } from '../stores/redis.js';
import { isTransientStoreError } from '../stores/transient.js';
import { once, runCleanups } from './cleanups.js';

/** What every queue worker needs besides its queue and its job handling. */
export interface WorkerSettings {
  readonly redisUrl: string;
  readonly redisKeyPrefix: string;
  /** Jobs in flight at once; with a batching projection this is also the largest batch. */
  readonly concurrency: number;
  /** How long an active job stays locked; jobs of a dead worker are retried after it. */
  readonly lockMs?: number;
  /** Runs after the worker stopped taking jobs, e.g. to flush a batch. */
  readonly drain?: () => Promise<void>;
  readonly registry: Registry;
  readonly logger: Logger;
}

export interface QueueWorkerOptions<T> extends WorkerSettings {
  readonly queue: QueueKey;
  readonly apply: (data: T) => Promise<void>;
  /** When each change in a job was committed, for the lag metric. */
  readonly occurredAt: (data: T) => readonly string[];
  /** Runs after a job applied (best effort: its failure does not fail the job). */
  readonly afterApply?: (data: T, appliedAt: number) => Promise<unknown>;
  /** Appended to the log of a dead-lettered job: how an operator gets it applied again. */
  readonly deadLetterHint?: string;
}

export interface QueueWorker<T> {
  readonly worker: Worker<T>;
  /** Idempotent: every call returns the first call's promise. */
  close(): Promise<void>;
}

export interface ProjectionWorkerOptions extends WorkerSettings {
  readonly projection: ProjectionName;
  readonly apply: (event: CatalogEvent) => Promise<void>;
  /** For recording the last applied event (read by `aisle status`). */
  readonly redis: Redis;
}

export type ProjectionWorker = QueueWorker<CatalogEvent>;

export const lastAppliedKey = (prefix: string, projection: ProjectionName): string =>
  `${prefix}:projection:${projection}:last-applied`;

function metricsFor(registry: Registry, projection: QueueKey) {
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
    applied: (occurredAt: readonly string[], appliedAt: number) => {
      for (const at of occurredAt) lag.observe({ projection }, (appliedAt - Date.parse(at)) / 1000);
      outcomes.inc({ projection, outcome: 'applied' });
    },
    failed: (final: boolean) =>
      outcomes.inc({ projection, outcome: final ? 'dead_lettered' : 'retried' }),
    paused: () => outcomes.inc({ projection, outcome: 'paused' }),
  };
}

/** First and longest pause of a projection whose store is away; doubled on each failure. */
export const PAUSE_MIN_MS = 500;
export const PAUSE_MAX_MS = 10_000;

/**
 * Hard kills leave active jobs stalled; BullMQ fails a job stalled more than this many times.
 * A kill is not the job's fault, so the limit is high (BullMQ's default of 1 dead-lettered jobs
 * after two kills).
 */
export const MAX_STALLED_COUNT = 50;

/** The pause of the next transient failure: grows while the store stays away, resets on success. */
export function pauseSchedule(min = PAUSE_MIN_MS, max = PAUSE_MAX_MS) {
  let current = 0;
  return {
    next: (): number => (current = current === 0 ? min : Math.min(max, current * 2)),
    reset: (): void => {
      current = 0;
    },
  };
}

/**
 * A BullMQ worker for one queue. Failed jobs retry with the backoff their producer set; a job
 * that throws UnrecoverableError (a poison job) or runs out of attempts stays in the failed set
 * (the dead-letter state) without blocking the others. close() stops taking jobs, lets active
 * ones finish, drains, then closes the connection: each step runs even if an earlier one failed.
 */
export function startQueueWorker<T>(options: QueueWorkerOptions<T>): QueueWorker<T> {
  const { queue, logger } = options;
  const connection = createRedis(options.redisUrl, 'blocking');
  connection.on('error', () => undefined);
  const metrics = metricsFor(options.registry, queue);

  const pauses = pauseSchedule();

  // Transient is not poison (DESIGN rule 9): when a store is away, the job goes back to waiting
  // without using an attempt, and the whole queue pauses (BullMQ's manual rate limit), longer
  // each time, until the store answers again. Only a deterministic refusal fails a job.
  const pauseFor = async (error: unknown): Promise<never> => {
    const ms = pauses.next();
    metrics.paused();
    logger.warn(
      { err: error, projection: queue, pauseMs: ms },
      'a store is unavailable; the projection pauses and resumes by itself',
    );
    await worker.rateLimit(ms);
    throw Worker.RateLimitError();
  };

  const worker: Worker<T> = new Worker<T>(
    queueNames[queue],
    async (job: Job<T>) => {
      try {
        await options.apply(job.data);
      } catch (error) {
        if (isTransientStoreError(error)) return pauseFor(error);
        throw error;
      }
      pauses.reset();
      const appliedAt = Date.now();
      metrics.applied(options.occurredAt(job.data), appliedAt);
      await options.afterApply?.(job.data, appliedAt).catch(() => undefined);
    },
    {
      connection,
      prefix: bullPrefix(options.redisKeyPrefix),
      concurrency: options.concurrency,
      maxStalledCount: MAX_STALLED_COUNT,
      ...(options.lockMs === undefined
        ? {}
        : { lockDuration: options.lockMs, stalledInterval: options.lockMs }),
    },
  );
  worker.on('error', (error) =>
    logger.warn({ err: error, projection: queue }, 'projection worker error'),
  );
  worker.on('failed', (job, error) => {
    const final =
      job === undefined ||
      error.name === 'UnrecoverableError' ||
      job.attemptsMade >= (job.opts.attempts ?? 1);
    metrics.failed(final);
    const log = { err: error, projection: queue, jobId: job?.id, attemptsMade: job?.attemptsMade };
    const hint = options.deadLetterHint === undefined ? '' : ` (${options.deadLetterHint})`;
    if (final) logger.error(log, `projection job dead-lettered${hint}`);
    else logger.warn(log, 'projection job failed; it will be retried');
  });

  return {
    worker,
    close: once(() =>
      runCleanups(`the ${queue} worker`, [
        () => worker.close(),
        () => options.drain?.(),
        () => closeRedis(connection),
      ]),
    ),
  };
}

/** The worker of one catalog projection queue; it records the last applied event for status. */
export function startProjectionWorker(options: ProjectionWorkerOptions): ProjectionWorker {
  const lastKey = lastAppliedKey(options.redisKeyPrefix, options.projection);
  return startQueueWorker<CatalogEvent>({
    ...options,
    queue: options.projection,
    occurredAt: (event) => [event.occurredAt],
    afterApply: (event, appliedAt) =>
      options.redis.hset(lastKey, {
        eventId: event.eventId,
        type: event.type,
        version: event.version,
        occurredAt: event.occurredAt,
        appliedAt: new Date(appliedAt).toISOString(),
      }),
    deadLetterHint: 'replay with: aisle dead-letters replay',
  });
}

export interface UsageWorkerOptions extends WorkerSettings {
  /** Applies one job: a batch of usage events, as the storefront sent it. */
  readonly apply: (batch: UsageBatch) => Promise<void>;
}

/** The worker of the storefront usage queue; each job is already a batch of events. */
export function startUsageWorker(options: UsageWorkerOptions): QueueWorker<UsageBatch> {
  return startQueueWorker<UsageBatch>({
    ...options,
    queue: 'usage',
    occurredAt: (batch) => batch.events.map((event) => event.occurredAt),
  });
}

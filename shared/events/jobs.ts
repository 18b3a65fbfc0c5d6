import type { JobsOptions } from 'bullmq';
import type { CatalogEvent } from './catalog-events.js';

/** A projection job carries one outbox event, unchanged. */
export type ProjectionJobData = CatalogEvent;

/**
 * Options of every projection job. The job id is the event id, so an event enqueued twice (a
 * relay that died before marking its batch) is one job while it is still in the queue; after
 * that, projections are idempotent by version anyway. Failed jobs are kept: that is the
 * dead-letter state an operator lists and replays.
 */
export function projectionJobOptions(eventId: string, attempts: number): JobsOptions {
  return {
    jobId: eventId,
    attempts,
    backoff: { type: 'exponential', delay: 500, jitter: 0.5 },
    removeOnComplete: { age: 3600, count: 10_000 },
    removeOnFail: false,
  };
}

import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import type { Config } from '../../shared/config/index.js';
import { projectionJobOptions } from '../../shared/events/jobs.js';
import {
  bullPrefix,
  projectionNames,
  queueNames,
  type ProjectionName,
} from '../../shared/events/queues.js';
import type { Pool } from '../../shared/stores/postgres.js';

export interface ProjectionQueues {
  readonly queues: Record<ProjectionName, Queue>;
  /** Jobs in the failed (dead-letter) state, per projection queue. */
  deadLetters(): Promise<Record<ProjectionName, number>>;
  close(): Promise<void>;
}

/** The campaign's projection queues, opened on the real Redis. */
export function openProjectionQueues(direct: Config): ProjectionQueues {
  const queues = Object.fromEntries(
    projectionNames.map((p) => [
      p,
      new Queue(queueNames[p], {
        connection: { url: direct.redisUrl } as never,
        prefix: bullPrefix(direct.redisKeyPrefix),
      }),
    ]),
  ) as Record<ProjectionName, Queue>;
  // A store restarted for real takes Redis away from these too; the client reconnects by itself,
  // and without a listener the outage would be an uncaught error.
  for (const p of projectionNames) queues[p].on('error', () => undefined);
  return {
    queues,
    deadLetters: async () => {
      const counts = await Promise.all(projectionNames.map((p) => queues[p].getFailedCount()));
      return Object.fromEntries(projectionNames.map((p, i) => [p, counts[i]])) as Record<
        ProjectionName,
        number
      >;
    },
    close: async () => {
      await Promise.all(projectionNames.map((p) => queues[p].close()));
    },
  };
}

/** Fisher–Yates, so the replay reaches the projections in no particular order. */
export function shuffled<T>(items: readonly T[], random: () => number = Math.random): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

/**
 * Duplicated and shuffled deliveries: up to `count` events already relayed are added again to
 * every projection queue, in random order and under fresh job ids (so BullMQ does not drop them
 * as duplicates). Each projection must ignore them by version. Returns how many were re-added.
 */
export async function redeliver(
  pool: Pool,
  queues: ProjectionQueues,
  count: number,
  attempts: number,
): Promise<number> {
  const { rows } = await pool.query<{ payload: { type: string } }>(
    `SELECT payload FROM outbox WHERE published_at IS NOT NULL ORDER BY random() LIMIT $1`,
    [count],
  );
  const jobs = shuffled(rows).map((row) => ({
    name: row.payload.type,
    data: row.payload,
    opts: projectionJobOptions(randomUUID(), attempts),
  }));
  await Promise.all(projectionNames.map((p) => queues.queues[p].addBulk(shuffled(jobs))));
  return rows.length;
}

import { randomUUID } from 'node:crypto';
import { listDeadLetters } from '../../services/ops-cli/commands/dead-letters.js';
import { memoryOutput } from '../../shared/cli/output.js';
import { projectionJobOptions } from '../../shared/events/jobs.js';
import { projectionNames, type ProjectionName } from '../../shared/events/queues.js';
import type { Pool } from '../../shared/stores/postgres.js';
import type { ProjectionQueues } from './deliveries.js';

/**
 * A poison event: a real product event of the campaign with its snapshot taken out and a product
 * id of its own, so no projection can apply it (each fails on the missing snapshot, before
 * writing anything) and it touches no product of the load. Added once to every projection queue
 * with the campaign's attempts; returns its job id.
 */
export async function injectPoison(
  pool: Pool,
  queues: ProjectionQueues,
  attempts: number,
): Promise<string> {
  const { rows } = await pool.query<{ event_type: string; payload: Record<string, unknown> }>(
    `SELECT event_type, payload FROM outbox WHERE aggregate_type = 'product' ORDER BY id LIMIT 1`,
  );
  const template = rows[0];
  if (template === undefined) throw new Error('no product event to make a poison event from');
  const eventId = randomUUID();
  const poison = { ...template.payload, eventId, productId: randomUUID(), snapshot: null };
  await Promise.all(
    projectionNames.map((p) =>
      queues.queues[p].add(template.event_type, poison, projectionJobOptions(eventId, attempts)),
    ),
  );
  return eventId;
}

export interface DeadLetterCheck {
  /** Per projection: the poison job is listed as a dead letter, after all its attempts. */
  readonly poisonListed: Record<ProjectionName, boolean>;
  /** Dead letters other than the poison job (must be 0). */
  readonly others: Record<ProjectionName, number>;
}

/** What `aisle dead-letters list` shows, held against the one poison job that must be there. */
export async function checkDeadLetters(
  queues: ProjectionQueues,
  poisonJobId: string | undefined,
  attempts: number,
): Promise<DeadLetterCheck> {
  const list = await listDeadLetters(
    queues.queues,
    { projections: projectionNames, limit: 1000 },
    memoryOutput(),
  );
  const poisonListed = {} as Record<ProjectionName, boolean>;
  const others = {} as Record<ProjectionName, number>;
  for (const { projection, failed, jobs } of list.projections) {
    const poison = jobs.find((job) => job.jobId === poisonJobId);
    poisonListed[projection] = poison !== undefined && poison.attemptsMade === attempts;
    others[projection] = failed - (poison === undefined ? 0 : 1);
  }
  return { poisonListed, others };
}

/**
 * `aisle dead-letters list|replay`: the failed set of each projection queue is the dead-letter
 * state (jobs that threw UnrecoverableError or ran out of attempts; failed jobs are never
 * removed). Replay moves them back to waiting with their attempts reset, so a replayed job gets
 * the full retry budget again; projections are idempotent by version, so replaying an event that
 * a newer one already superseded changes nothing.
 */
import type { Job, Queue } from 'bullmq';
import { parseArgs } from 'node:util';
import type { Config } from '../../../shared/config/index.js';
import type { ProjectionName } from '../../../shared/events/queues.js';
import { openQueues } from '../../../shared/stores/queues.js';
import {
  count,
  mapLimit,
  positiveInteger,
  projectionsOption,
  table,
  type Output,
} from '../../../shared/cli/output.js';

export type ProjectionQueues = Readonly<Partial<Record<ProjectionName, Queue>>>;

export interface DeadLetter {
  readonly projection: ProjectionName;
  /** The job id, which is the event id. */
  readonly jobId: string;
  readonly eventType: string;
  /** The product or category id. */
  readonly aggregateId: string | null;
  readonly version: number | null;
  readonly attemptsMade: number;
  readonly failedReason: string;
  readonly failedAt: string | null;
}

export interface DeadLetterListOptions {
  readonly projections: readonly ProjectionName[];
  /** Most jobs shown per projection, most recently failed first. */
  readonly limit: number;
  readonly json?: boolean;
}

export interface DeadLetterList {
  readonly projections: readonly {
    readonly projection: ProjectionName;
    readonly failed: number;
    readonly jobs: readonly DeadLetter[];
  }[];
}

export interface ReplayOptions {
  readonly projections: readonly ProjectionName[];
  readonly target: { readonly id: string } | 'all';
}

export interface ReplayReport {
  readonly replayed: Readonly<Partial<Record<ProjectionName, number>>>;
  readonly total: number;
}

export type DeadLettersArgs =
  | ({ readonly action: 'list' } & DeadLetterListOptions)
  | ({ readonly action: 'replay' } & ReplayOptions);

const USAGE =
  'usage: aisle dead-letters list [--projection search|detail|analytics] [--limit N] [--json]\n' +
  '       aisle dead-letters replay [--projection P] (--id JOBID | --all)';

export function parseDeadLettersArgs(args: readonly string[]): DeadLettersArgs {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: {
      projection: { type: 'string' },
      limit: { type: 'string' },
      json: { type: 'boolean', default: false },
      id: { type: 'string' },
      all: { type: 'boolean', default: false },
    },
    allowPositionals: true,
  });
  const [action, ...rest] = positionals;
  if (rest.length > 0) throw new Error(USAGE);
  const projections = projectionsOption(values.projection);
  if (action === 'list') {
    if (values.id !== undefined || values.all) throw new Error(USAGE);
    return {
      action,
      projections,
      limit: positiveInteger('limit', values.limit, 50),
      json: values.json,
    };
  }
  if (action === 'replay') {
    if ((values.id === undefined) === !values.all) throw new Error(USAGE);
    return { action, projections, target: values.id === undefined ? 'all' : { id: values.id } };
  }
  throw new Error(USAGE);
}

/** What a failed job carries, read defensively: a poison job's data may be anything. */
function deadLetter(projection: ProjectionName, job: Job): DeadLetter {
  const data: unknown = job.data;
  const fields = (typeof data === 'object' && data !== null ? data : {}) as Record<string, unknown>;
  const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);
  return {
    projection,
    jobId: job.id ?? '',
    eventType: text(fields.type) ?? job.name,
    aggregateId: text(fields.productId) ?? text(fields.categoryId),
    version: typeof fields.version === 'number' ? fields.version : null,
    attemptsMade: job.attemptsMade,
    failedReason: job.failedReason ?? '',
    failedAt: job.finishedOn === undefined ? null : new Date(job.finishedOn).toISOString(),
  };
}

function queueOf(queues: ProjectionQueues, projection: ProjectionName): Queue {
  const queue = queues[projection];
  if (queue === undefined) throw new Error(`no queue opened for projection ${projection}`);
  return queue;
}

export async function listDeadLetters(
  queues: ProjectionQueues,
  options: DeadLetterListOptions,
  out: Output,
): Promise<DeadLetterList> {
  const list: DeadLetterList = {
    projections: await Promise.all(
      options.projections.map(async (projection) => {
        const queue = queueOf(queues, projection);
        const [failed, jobs] = await Promise.all([
          queue.getFailedCount(),
          queue.getFailed(0, options.limit - 1),
        ]);
        return { projection, failed, jobs: jobs.map((job) => deadLetter(projection, job)) };
      }),
    ),
  };
  if (options.json === true) {
    out.line(JSON.stringify(list, null, 2));
    return list;
  }
  for (const { projection, failed, jobs } of list.projections) {
    const shown = jobs.length < failed ? ` (newest ${jobs.length} shown)` : '';
    out.line(`${projection}: ${count(failed)} dead-lettered${shown}`);
    if (jobs.length === 0) continue;
    const rows = jobs.map((j) => [
      j.jobId,
      j.eventType,
      j.aggregateId ?? '-',
      j.version === null ? '-' : String(j.version),
      String(j.attemptsMade),
      j.failedAt ?? '-',
      oneLine(j.failedReason, 160),
    ]);
    const header = ['job (event) id', 'type', 'aggregate id', 'version', 'attempts', 'failed at'];
    for (const line of table([[...header, 'reason'], ...rows], [3, 4])) out.line(`  ${line}`);
  }
  return list;
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/**
 * Moves dead letters back to waiting. `--all` takes the ids in the failed set when it starts, so
 * a job that fails again during the replay is not replayed twice in one run.
 */
export async function replayDeadLetters(
  queues: ProjectionQueues,
  options: ReplayOptions,
  out: Output,
): Promise<ReplayReport> {
  const replayed: Partial<Record<ProjectionName, number>> = {};
  let total = 0;
  for (const projection of options.projections) {
    const queue = queueOf(queues, projection);
    const target = options.target;
    if (target === 'all') {
      const ids = await queue.getRanges(['failed'], 0, -1);
      const outcomes = await mapLimit(ids, 16, (id) => retry(queue, id));
      const done = outcomes.filter((o) => o.replayed).length;
      replayed[projection] = done;
      total += done;
      const left = ids.length - done;
      out.line(
        `${projection}: replayed ${count(done)} of ${count(ids.length)} dead letters` +
          (left > 0 ? ` (${count(left)} were no longer failed)` : ''),
      );
    } else {
      const outcome = await retry(queue, target.id);
      const done = outcome.replayed ? 1 : 0;
      replayed[projection] = done;
      total += done;
      out.line(
        outcome.replayed
          ? `${projection}: replayed job ${target.id}`
          : `${projection}: job ${target.id} not replayed (${outcome.why})`,
      );
    }
  }
  out.line(`replayed ${count(total)} job${total === 1 ? '' : 's'} in total`);
  return { replayed, total };
}

type RetryOutcome =
  { readonly replayed: true } | { readonly replayed: false; readonly why: string };

async function retry(queue: Queue, id: string): Promise<RetryOutcome> {
  const job = await queue.getJob(id);
  if (job === undefined) return { replayed: false, why: 'no such job' };
  try {
    await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
    return { replayed: true };
  } catch {
    // Not failed (any more): another operator replayed it, or it was never dead-lettered here.
    return { replayed: false, why: `it is ${await job.getState()}, not failed` };
  }
}

/** The CLI entry: opens the projection queues, runs the action, closes them. */
export async function runDeadLetters(
  config: Config,
  args: DeadLettersArgs,
  out: Output,
): Promise<void> {
  const queues = openQueues(config.redisUrl, config.redisKeyPrefix, args.projections);
  try {
    if (args.action === 'list') await listDeadLetters(queues.client, args, out);
    else await replayDeadLetters(queues.client, args, out);
  } finally {
    await queues.close();
  }
}

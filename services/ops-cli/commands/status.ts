/**
 * `aisle status`: how far behind the write side each projection is (DESIGN rule 5). Per
 * projection: its queue (waiting/active/delayed/failed) and the last event it applied, which
 * every projection worker records in Redis; and the outbox backlog the relay has yet to hand
 * to the queues.
 */
import { parseArgs } from 'node:util';
import type { Config } from '../../../shared/config/index.js';
import { projectionNames, type ProjectionName } from '../../../shared/events/queues.js';
import { lastAppliedKey } from '../../../shared/projection/worker.js';
import { postgresFromConfig } from '../../../shared/stores/open.js';
import type { Pool } from '../../../shared/stores/postgres.js';
import { openQueues } from '../../../shared/stores/queues.js';
import { openRedis, type Redis } from '../../../shared/stores/redis.js';
import { count, duration, table, type Output } from '../../../shared/cli/output.js';
import type { ProjectionQueues } from './dead-letters.js';

export interface StatusStores {
  readonly pool: Pool;
  readonly redis: Redis;
  readonly queues: ProjectionQueues;
  readonly redisKeyPrefix: string;
}

export interface StatusOptions {
  readonly json: boolean;
}

export interface QueueCounts {
  readonly waiting: number;
  readonly active: number;
  readonly delayed: number;
  readonly failed: number;
}

export interface LastApplied {
  readonly eventId: string;
  readonly type: string;
  readonly version: number;
  readonly occurredAt: string;
  readonly appliedAt: string;
  /** appliedAt − occurredAt: how long the change took to reach this read model. */
  readonly lagMs: number;
  /** now − appliedAt: how long this projection has been idle (or stuck). */
  readonly sinceAppliedMs: number;
}

export interface ProjectionStatus {
  readonly projection: ProjectionName;
  readonly queue: QueueCounts;
  /** Null until the projection applied its first event. */
  readonly lastApplied: LastApplied | null;
}

export interface StatusReport {
  readonly at: string;
  readonly projections: readonly ProjectionStatus[];
  readonly outbox: {
    readonly unpublished: number;
    readonly oldestOccurredAt: string | null;
    /** Age of the oldest unpublished event, by the database clock. */
    readonly oldestAgeMs: number | null;
  };
}

export function parseStatusArgs(args: readonly string[]): StatusOptions {
  const { values } = parseArgs({
    args: [...args],
    options: { json: { type: 'boolean', default: false } },
  });
  return { json: values.json };
}

function lastApplied(hash: Record<string, string>, now: number): LastApplied | null {
  const { eventId, type, version, occurredAt, appliedAt } = hash;
  if (eventId === undefined || occurredAt === undefined || appliedAt === undefined) return null;
  const applied = Date.parse(appliedAt);
  return {
    eventId,
    type: type ?? '',
    version: Number(version ?? 0),
    occurredAt,
    appliedAt,
    lagMs: applied - Date.parse(occurredAt),
    sinceAppliedMs: now - applied,
  };
}

export async function collectStatus(stores: StatusStores): Promise<StatusReport> {
  const outbox = stores.pool.query<{ n: string; oldest: Date | null; age_ms: string | null }>(
    `SELECT count(*) AS n, min(occurred_at) AS oldest,
            extract(epoch FROM now() - min(occurred_at)) * 1000 AS age_ms
       FROM outbox WHERE published_at IS NULL`,
  );
  const projections = Promise.all(
    projectionNames.map(async (projection): Promise<ProjectionStatus> => {
      const queue = stores.queues[projection];
      if (queue === undefined) throw new Error(`no queue opened for projection ${projection}`);
      const [counts, hash] = await Promise.all([
        queue.getJobCounts('waiting', 'active', 'delayed', 'failed'),
        stores.redis.hgetall(lastAppliedKey(stores.redisKeyPrefix, projection)),
      ]);
      return {
        projection,
        queue: {
          waiting: counts.waiting ?? 0,
          active: counts.active ?? 0,
          delayed: counts.delayed ?? 0,
          failed: counts.failed ?? 0,
        },
        lastApplied: lastApplied(hash, Date.now()),
      };
    }),
  );
  const row = (await outbox).rows[0];
  return {
    at: new Date().toISOString(),
    projections: await projections,
    outbox: {
      unpublished: Number(row?.n ?? 0),
      oldestOccurredAt: row?.oldest?.toISOString() ?? null,
      oldestAgeMs: row?.age_ms === null || row?.age_ms === undefined ? null : Number(row.age_ms),
    },
  };
}

export function printStatus(report: StatusReport, options: StatusOptions, out: Output): void {
  if (options.json) {
    out.line(JSON.stringify(report, null, 2));
    return;
  }
  const queues = report.projections.map((p) => [
    p.projection,
    ...[p.queue.waiting, p.queue.active, p.queue.delayed, p.queue.failed].map(count),
  ]);
  for (const line of table(
    [['queue', 'waiting', 'active', 'delayed', 'failed'], ...queues],
    [1, 2, 3, 4],
  ))
    out.line(line);
  out.line('');
  const applied = report.projections.map((p) => {
    const last = p.lastApplied;
    if (last === null) return [p.projection, '(nothing applied yet)'];
    return [
      p.projection,
      last.eventId,
      last.type,
      String(last.version),
      last.occurredAt,
      duration(last.lagMs),
      `${duration(last.sinceAppliedMs)} ago`,
    ];
  });
  const header = ['last applied', 'event id', 'type', 'version', 'occurred at', 'lag', 'applied'];
  for (const line of table([header, ...applied], [3, 5])) out.line(line);
  out.line('');
  const { unpublished, oldestAgeMs, oldestOccurredAt } = report.outbox;
  out.line(
    unpublished === 0 || oldestAgeMs === null
      ? 'outbox: 0 unpublished events'
      : `outbox: ${count(unpublished)} unpublished event${unpublished === 1 ? '' : 's'}, ` +
          `oldest ${duration(oldestAgeMs)} old (${oldestOccurredAt ?? '?'})`,
  );
}

export async function status(
  stores: StatusStores,
  options: StatusOptions,
  out: Output,
): Promise<StatusReport> {
  const report = await collectStatus(stores);
  printStatus(report, options, out);
  return report;
}

/** The CLI entry: opens Postgres, Redis and the projection queues, prints, closes them. */
export async function runStatus(
  config: Config,
  options: StatusOptions,
  out: Output,
): Promise<StatusReport> {
  const postgres = postgresFromConfig(config, 'aisle-status');
  const redis = openRedis(config.redisUrl);
  const queues = openQueues(config.redisUrl, config.redisKeyPrefix, projectionNames);
  try {
    return await status(
      {
        pool: postgres.client,
        redis: redis.client,
        queues: queues.client,
        redisKeyPrefix: config.redisKeyPrefix,
      },
      options,
      out,
    );
  } finally {
    await Promise.allSettled([postgres.close(), redis.close(), queues.close()]);
  }
}

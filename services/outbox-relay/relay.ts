import type { Queue } from 'bullmq';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { CatalogEvent } from '../../shared/events/catalog-events.js';
import { projectionJobOptions } from '../../shared/events/jobs.js';
import type { ProjectionName } from '../../shared/events/queues.js';
import type { Logger } from '../../shared/logging/logger.js';
import { withTransaction, type Pool } from '../../shared/stores/postgres.js';

export interface RelayOptions {
  readonly pool: Pool;
  readonly queues: Readonly<Record<ProjectionName, Queue>>;
  readonly batchSize: number;
  readonly attempts: number;
  readonly logger: Logger;
  /** A Redis that is away makes BullMQ wait for a connection forever; the relay gives up sooner. */
  readonly enqueueTimeoutMs?: number;
}

interface OutboxRow {
  id: string;
  event_id: string;
  payload: CatalogEvent;
  occurred_at: Date;
}

export interface RelayMetrics {
  readonly relayed: Counter;
  readonly lag: Histogram;
  readonly backlog: Gauge;
}

export function relayMetrics(registry: Registry, pool: Pool): RelayMetrics {
  return {
    relayed: new Counter({
      name: 'aisle_outbox_relayed_events_total',
      help: 'Outbox events handed to every projection queue.',
      registers: [registry],
    }),
    lag: new Histogram({
      name: 'aisle_outbox_relay_lag_seconds',
      help: 'Time from an event being committed to the relay enqueuing it.',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    }),
    backlog: new Gauge({
      name: 'aisle_outbox_unpublished_events',
      help: 'Committed outbox events not yet handed to the queues.',
      registers: [registry],
      async collect() {
        // A failed count must not fail the whole scrape (the other metrics still hold). It
        // happens while Postgres is away, and when the relay starts before catalog-write has
        // migrated the schema. The gauge then says NaN, unknown: a 0 would read as "no backlog"
        // exactly when nothing is being relayed.
        try {
          const { rows } = await pool.query<{ n: string }>(
            'SELECT count(*) AS n FROM outbox WHERE published_at IS NULL',
          );
          this.set(Number(rows[0]?.n ?? 0));
        } catch {
          this.set(Number.NaN);
        }
      },
    }),
  };
}

/**
 * Claims one batch of unpublished events, hands each to every projection queue, and marks them
 * published, all inside one transaction. Rows are claimed with SKIP LOCKED (so relays never wait
 * on each other), never by a "highest id seen" watermark: ids are taken before commit, so a
 * transaction that commits late would be skipped forever. If any queue refuses, the transaction
 * rolls back and the events stay unpublished for the next try. Returns the number relayed.
 */
export async function relayBatch(options: RelayOptions, metrics?: RelayMetrics): Promise<number> {
  const rows = await withTransaction(options.pool, async (client) => {
    const claimed = await client.query<OutboxRow>(
      `SELECT id, event_id, payload, occurred_at FROM outbox
        WHERE published_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [options.batchSize],
    );
    if (claimed.rows.length === 0) return [];
    await withDeadline(enqueue(options, claimed.rows), options.enqueueTimeoutMs ?? 10_000);
    await client.query('UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[])', [
      claimed.rows.map((r) => r.id),
    ]);
    return claimed.rows;
  });
  const now = Date.now();
  for (const row of rows) metrics?.lag.observe((now - row.occurred_at.getTime()) / 1000);
  metrics?.relayed.inc(rows.length);
  return rows.length;
}

function enqueue(options: RelayOptions, rows: readonly OutboxRow[]): Promise<unknown> {
  return Promise.all(
    Object.values(options.queues).map((queue) =>
      queue.addBulk(
        rows.map((row) => ({
          name: row.payload.type,
          data: row.payload,
          opts: projectionJobOptions(row.event_id, options.attempts),
        })),
      ),
    ),
  );
}

/** Deletes published rows older than the retention, in bounded chunks. */
export async function pruneOutbox(pool: Pool, retentionHours: number): Promise<number> {
  let total = 0;
  for (;;) {
    const { rowCount } = await pool.query(
      `DELETE FROM outbox WHERE id IN (
         SELECT id FROM outbox
          WHERE published_at IS NOT NULL AND published_at < now() - make_interval(hours => $1)
          LIMIT 5000)`,
      [retentionHours],
    );
    total += rowCount ?? 0;
    if ((rowCount ?? 0) < 5000) return total;
  }
}

/**
 * If the deadline passes the batch rolls back and is retried; should the abandoned enqueue still
 * land later, its jobs carry the same ids and projections ignore versions they already hold.
 */
async function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`the queues did not accept the batch within ${ms} ms`)),
      ms,
    );
  });
  work.catch(() => undefined);
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

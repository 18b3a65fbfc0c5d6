/**
 * `aisle rebuild analytics`: what can be rebuilt of the ClickHouse event history.
 *
 * History cannot be recomputed from current state: a price that was 12.99 for a week and is
 * 14.99 now leaves no trace in the products table. What Postgres still has is (1) every event
 * the outbox retains (OUTBOX_RETENTION_HOURS after publishing) and (2) the current snapshot of
 * every product. So the rebuild
 *   - re-inserts every retained product event, published or not, in outbox id order, as the
 *     projector would, its variant_history rows included (both tables are ReplacingMergeTrees
 *     keyed on the event id, so rows already there are deduplicated; read with FINAL or
 *     uniqExact);
 *   - for every product whose history was pruned (its oldest retained event is past version 1,
 *     or none is retained) adds one baseline row of its current snapshot, event_type
 *     'ProductSnapshot', whose event id is derived from (product id, version): running the
 *     rebuild again adds nothing new unless the product changed since.
 * It never deletes rows: history older than the outbox retention survives only in ClickHouse
 * itself, and it is kept. Storefront usage (searches, views) is not in Postgres at all.
 *
 * Both passes read one REPEATABLE READ snapshot, so "pruned" is decided on exactly the outbox
 * the first pass copied; events committed later reach ClickHouse through the live projector.
 */
import { createHash } from 'node:crypto';
import type { Config } from '../../config/index.js';
import { silentProgress, type ProgressSink } from '../../cli/progress.js';
import type { ProductEvent, ProductSnapshot } from '../../events/catalog-events.js';
import { createClickHouse, type ClickHouseClient } from '../../stores/clickhouse.js';
import { withTransaction, type Pool, type PoolClient } from '../../stores/postgres.js';
import type { Redis } from '../../stores/redis.js';
import { eventRows, insertEventRows, snapshotRow, type EventRows } from './projection.js';
import { acquireRebuildLock, pause, rebuildLockKey } from '../rebuild-lock.js';
import { keysetPages, productPage, type ProductFilter } from '../../write-model/pages.js';
import { bootstrapClickHouse } from './tables.js';

export interface AnalyticsRebuildDeps {
  readonly config: Pick<
    Config,
    | 'redisKeyPrefix'
    | 'clickhouseUrl'
    | 'clickhouseUser'
    | 'clickhousePassword'
    | 'clickhouseDatabase'
  >;
  readonly redis: Redis;
  readonly pool: Pool;
}

export interface AnalyticsRebuildOptions {
  readonly pageSize?: number;
  readonly progress?: ProgressSink;
  readonly signal?: AbortSignal;
}

export interface AnalyticsRebuildReport {
  /** Product events copied from the outbox. */
  readonly events: number;
  /** Outbox rows that were not a complete product event (left out). */
  readonly skipped: number;
  /** Baseline rows for products whose early history was pruned from the outbox. */
  readonly baselines: number;
}

export const BASELINE_EVENT_TYPE = 'ProductSnapshot';

/** Fixed namespace of the baseline ids (a random UUID chosen once for Aisle). */
const BASELINE_NAMESPACE = Buffer.from('5a0f8e3c4b7d4e21a9c36d1f2b8e7a40', 'hex');

/** A name-based (RFC 4122 version 5) UUID of the product id and version: same input, same id. */
export function baselineEventId(productId: string, version: number): string {
  const hash = createHash('sha1')
    .update(BASELINE_NAMESPACE)
    .update(`${productId.toLowerCase()}:${version}`)
    .digest()
    .subarray(0, 16);
  hash.writeUInt8((hash.readUInt8(6) & 0x0f) | 0x50, 6);
  hash.writeUInt8((hash.readUInt8(8) & 0x3f) | 0x80, 8);
  const hex = hash.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The row a baseline adds: the projector's own column mapping, of the current snapshot. */
export function baselineRow(snapshot: ProductSnapshot): Record<string, unknown> {
  return snapshotRow(snapshot, BASELINE_EVENT_TYPE, baselineEventId(snapshot.id, snapshot.version));
}

const OLDEST = 'aisle_rebuild_oldest';
const PRUNED: ProductFilter = {
  join: `LEFT JOIN ${OLDEST} o ON o.product_id = p.id`,
  where: '(o.oldest IS NULL OR o.oldest > 1)',
};

interface OutboxRow {
  id: string;
  payload: Partial<ProductEvent>;
}

const isProductEvent = (p: Partial<ProductEvent>): p is ProductEvent =>
  p.aggregate === 'product' &&
  typeof p.eventId === 'string' &&
  typeof p.productId === 'string' &&
  typeof p.version === 'number' &&
  typeof p.snapshot === 'object' &&
  p.snapshot !== null &&
  typeof p.changes === 'object';

export async function rebuildAnalytics(
  deps: AnalyticsRebuildDeps,
  options: AnalyticsRebuildOptions = {},
): Promise<AnalyticsRebuildReport> {
  const { config, redis, pool } = deps;
  const progress = options.progress ?? silentProgress;
  const pageSize = options.pageSize ?? 1_000;
  const lock = await acquireRebuildLock(redis, rebuildLockKey(config.redisKeyPrefix, 'analytics'));
  const signal =
    options.signal === undefined ? lock.lost : AbortSignal.any([options.signal, lock.lost]);
  let clickhouse: ClickHouseClient | undefined;
  try {
    const server = {
      url: config.clickhouseUrl,
      username: config.clickhouseUser,
      password: config.clickhousePassword,
      database: config.clickhouseDatabase,
    };
    await bootstrapClickHouse(server); // a fresh database works too
    const ch = (clickhouse = createClickHouse(server));
    // One snapshot for both passes (the oldest-version table is built from what pass 1 read).
    return await withTransaction(pool, (tx) => copyHistory(tx, ch, progress, pageSize, signal), {
      isolation: 'repeatable read',
    });
  } finally {
    await clickhouse?.close();
    await lock.release().catch(() => undefined);
  }
}

async function copyHistory(
  tx: PoolClient,
  ch: ClickHouseClient,
  progress: ProgressSink,
  pageSize: number,
  signal: AbortSignal,
): Promise<AnalyticsRebuildReport> {
  const { rows: counted } = await tx.query<{ n: string }>(
    "SELECT count(*) AS n FROM outbox WHERE aggregate_type = 'product'",
  );
  let total = Number(counted[0]?.n ?? 0);
  progress.setTotal(total);
  progress.note('pass 1: events retained in the outbox');
  let events = 0;
  let skipped = 0;
  const outboxPages = keysetPages(
    async (after) =>
      (
        await tx.query<OutboxRow>(
          `SELECT id, payload FROM outbox WHERE aggregate_type = 'product'
             ${after === null ? '' : 'AND id > $2::bigint'} ORDER BY id LIMIT $1`,
          after === null ? [pageSize] : [pageSize, after],
        )
      ).rows,
    pageSize,
    signal,
  );
  for await (const page of outboxPages) {
    const valid = page.map((r) => r.payload).filter(isProductEvent);
    skipped += page.length - valid.length;
    await insertWithRetry(ch, valid.map(eventRows), signal);
    events += valid.length;
    progress.add(page.length);
  }

  await tx.query(
    `CREATE TEMP TABLE ${OLDEST} ON COMMIT DROP AS
       SELECT aggregate_id AS product_id, min(aggregate_version) AS oldest
         FROM outbox WHERE aggregate_type = 'product' GROUP BY aggregate_id`,
  );
  await tx.query(`ALTER TABLE ${OLDEST} ADD PRIMARY KEY (product_id)`);
  await tx.query(`ANALYZE ${OLDEST}`);
  const { rows: candidates } = await tx.query<{ n: string }>(
    `SELECT count(*) AS n FROM products p ${PRUNED.join} WHERE ${PRUNED.where}`,
  );
  total += Number(candidates[0]?.n ?? 0);
  progress.setTotal(total);
  progress.note('pass 2: baselines for products whose early history was pruned');
  let baselines = 0;
  const productPages = keysetPages(
    (after) => productPage(tx, after, pageSize, PRUNED),
    pageSize,
    signal,
  );
  for await (const page of productPages) {
    await insertWithRetry(
      ch,
      page.map((p) => ({ event: baselineRow(p), variants: [] })),
      signal,
    );
    baselines += page.length;
    progress.add(page.length);
  }
  return { events, skipped, baselines };
}

/** Every insert is idempotent (rows keyed by event id), so retrying a failed one is safe. */
async function insertWithRetry(
  clickhouse: ClickHouseClient,
  rows: readonly EventRows[],
  signal: AbortSignal,
): Promise<void> {
  if (rows.length === 0) return;
  for (let attempt = 1; ; attempt++) {
    try {
      await insertEventRows(clickhouse, rows);
      return;
    } catch (error) {
      if (attempt >= 5) throw error;
      await pause(250 * 2 ** attempt, signal);
    }
  }
}

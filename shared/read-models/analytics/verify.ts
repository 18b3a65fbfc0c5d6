import { randomUUID } from 'node:crypto';
import type { ProductEvent, ProductSnapshot } from '../../events/catalog-events.js';
import type { ClickHouseClient } from '../../stores/clickhouse.js';
import { list, sql, uuid } from '../../stores/clickhouse-sql.js';
import type { Pool } from '../../stores/postgres.js';
import { drifted, versionDrift, type DriftChecker, type DriftKind } from '../drift.js';
import { eventRows, insertEventRows, snapshotRow } from './projection.js';

/** The event type of a row a repair adds: the current snapshot, so max(version) matches. */
export const REPAIR_EVENT_TYPE = 'ProductSnapshotRepaired';
/** Rows that stand for a whole history before them (rebuild baselines, repairs). */
const BASELINE_TYPES = new Set(['ProductSnapshot', REPAIR_EVENT_TYPE]);

interface History {
  readonly max: number;
  /** Every version above the last baseline row (or from 1) is present. */
  readonly complete: boolean;
}

/** The latest version and whether the history below it has a hole (a lost middle event). */
export function historyOf(rows: readonly { version: number; type: string }[]): History {
  const versions = new Set(rows.map((r) => r.version));
  const max = Math.max(...versions);
  const base = Math.max(0, ...rows.filter((r) => BASELINE_TYPES.has(r.type)).map((r) => r.version));
  let complete = true;
  for (let v = base + 1; v <= max && complete; v++) complete = versions.has(v);
  return { max, complete };
}

/**
 * The analytics read model against the write model. ClickHouse holds the event log, not a
 * document: a product is in sync when its latest version matches and every version since its
 * last baseline row is there (price and stock history have no hole). Repair copies the product's
 * events the outbox still retains (idempotent: rows are keyed by event id), then, if the latest
 * version is still missing, appends one row of the current snapshot.
 */
export function analyticsChecker(clickhouse: ClickHouseClient, pool: Pool): DriftChecker {
  return {
    async check(products) {
      if (products.length === 0) return new Map<string, DriftKind>();
      const histories = await historiesOf(
        clickhouse,
        products.map((p) => p.id),
      );
      const stored = products.map((p) => histories.get(p.id.toLowerCase()));
      return drifted(products, stored, (p, history) =>
        versionDrift(history?.max, p.version, () => history?.complete === true),
      );
    },
    async repair(products) {
      if (products.length === 0) return 0;
      await copyRetainedEvents(clickhouse, pool, products);
      const histories = await historiesOf(
        clickhouse,
        products.map((p) => p.id),
      );
      const behind = products.filter((p) => {
        const history = histories.get(p.id.toLowerCase());
        return history === undefined || history.max < p.version || !history.complete;
      });
      if (behind.length > 0) {
        await clickhouse.insert({
          table: 'catalog_events',
          values: behind.map((p) => snapshotRow(p, REPAIR_EVENT_TYPE, randomUUID())),
          format: 'JSONEachRow',
        });
      }
      return products.length;
    },
    orphans: {
      ids: (pageSize) => productIds(clickhouse, pageSize),
      async remove(ids) {
        if (ids.length === 0) return 0;
        // A mutation (ALTER … DELETE) runs asynchronously; ids are validated UUIDs.
        const products = list(ids.map(uuid));
        for (const table of [sql`catalog_events`, sql`variant_history`]) {
          const query = sql`ALTER TABLE ${table} DELETE WHERE product_id IN (${products})`;
          await clickhouse.command({ query: query.text });
        }
        return ids.length;
      },
    },
  };
}

async function historiesOf(
  clickhouse: ClickHouseClient,
  ids: readonly string[],
): Promise<Map<string, History>> {
  const query = sql`SELECT toString(product_id) AS id, version, event_type AS type
                      FROM catalog_events FINAL
                     WHERE product_id IN (${list(ids.map(uuid))})`;
  const result = await clickhouse.query({ query: query.text, format: 'JSONEachRow' });
  const rows = await result.json<{ id: string; version: string | number; type: string }>();
  const byProduct = new Map<string, { version: number; type: string }[]>();
  for (const row of rows) {
    const id = row.id.toLowerCase();
    const list = byProduct.get(id) ?? [];
    list.push({ version: Number(row.version), type: row.type });
    byProduct.set(id, list);
  }
  return new Map([...byProduct].map(([id, history]) => [id, historyOf(history)]));
}

async function copyRetainedEvents(
  clickhouse: ClickHouseClient,
  pool: Pool,
  products: readonly ProductSnapshot[],
): Promise<void> {
  const { rows } = await pool.query<{ payload: ProductEvent }>(
    `SELECT payload FROM outbox
      WHERE aggregate_type = 'product' AND aggregate_id = ANY($1::uuid[]) ORDER BY id`,
    [products.map((p) => p.id)],
  );
  await insertEventRows(
    clickhouse,
    rows.map((r) => eventRows(r.payload)),
  );
}

/** Every product id the event log holds, in pages. */
async function* productIds(
  clickhouse: ClickHouseClient,
  pageSize: number,
): AsyncGenerator<string[]> {
  for (let offset = 0; ; offset += pageSize) {
    const query = sql`SELECT DISTINCT toString(product_id) AS id FROM catalog_events
                       ORDER BY id LIMIT ${pageSize} OFFSET ${offset}`;
    const result = await clickhouse.query({ query: query.text, format: 'JSONEachRow' });
    const ids = (await result.json<{ id: string }>()).map((r) => r.id);
    if (ids.length > 0) yield ids;
    if (ids.length < pageSize) return;
  }
}

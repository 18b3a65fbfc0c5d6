import { isTransientStoreError } from '../../stores/transient.js';
import type { CatalogEvent, ProductEvent, ProductSnapshot } from '../../events/catalog-events.js';
import { Batcher, type ItemOutcome } from '../../projection/batcher.js';
import type { ClickHouseClient } from '../../stores/clickhouse.js';
import { variantHistoryRows } from './variant-rows.js';

/** The rows one product event adds: its catalog_events row and its variant_history rows. */
export interface EventRows {
  readonly event: Record<string, unknown>;
  readonly variants: readonly Record<string, unknown>[];
}

export const eventRows = (event: ProductEvent): EventRows => ({
  event: catalogEventRow(event),
  variants: variantHistoryRows(event),
});

/**
 * Inserts the rows of a batch: catalog_events, then variant_history. Both tables are keyed on the
 * event id (and variant), so a batch retried after the first insert only repeats rows.
 */
export async function insertEventRows(
  clickhouse: Pick<ClickHouseClient, 'insert'>,
  rows: readonly EventRows[],
): Promise<void> {
  if (rows.length === 0) return;
  await clickhouse.insert({
    table: 'catalog_events',
    values: rows.map((r) => r.event),
    format: 'JSONEachRow',
  });
  const variants = rows.flatMap((r) => r.variants);
  if (variants.length === 0) return;
  await clickhouse.insert({ table: 'variant_history', values: variants, format: 'JSONEachRow' });
}

/**
 * One catalog_events row per product event; the table deduplicates retried inserts by event id.
 * Its columns are product-level: a Variant* event's stock move is the variant's, so it goes to
 * variant_history (variant-rows.ts), not here.
 */
export function catalogEventRow(event: ProductEvent): Record<string, unknown> {
  const { snapshot, changes } = event;
  const stock = changes.variantId === undefined ? changes.stock : undefined;
  return {
    event_id: event.eventId,
    event_type: event.type,
    product_id: event.productId,
    version: event.version,
    occurred_at: event.occurredAt,
    ...snapshotColumns(snapshot),
    stock_delta: stock?.delta ?? null,
    warehouse: stock?.warehouse ?? null,
    reason: stock?.reason ?? null,
  };
}

/**
 * A row that records a snapshot with no event behind it (a rebuild baseline, a verify repair):
 * the event's columns come from the snapshot and the caller names the row's type and id.
 */
export function snapshotRow(
  snapshot: ProductSnapshot,
  eventType: string,
  eventId: string,
): Record<string, unknown> {
  return {
    event_id: eventId,
    event_type: eventType,
    product_id: snapshot.id,
    version: snapshot.version,
    occurred_at: snapshot.updatedAt,
    ...snapshotColumns(snapshot),
    stock_delta: null,
    warehouse: null,
    reason: null,
  };
}

function snapshotColumns(snapshot: ProductSnapshot) {
  return {
    sku: snapshot.sku,
    status: snapshot.status,
    price_minor: snapshot.price?.amountMinor ?? null,
    currency: snapshot.price?.currency ?? null,
    stock_available: snapshot.stock.available,
  };
}

/**
 * After ClickHouse refused a batch's data (not an outage): each event alone, so that only the
 * event at fault fails and goes on to its retries and the dead letters; the others are stored
 * (a repeated row is deduplicated by its event id).
 */
async function insertOneByOne(
  clickhouse: Pick<ClickHouseClient, 'insert'>,
  rows: readonly EventRows[],
): Promise<ItemOutcome[]> {
  const outcomes: ItemOutcome[] = [];
  for (const row of rows) {
    try {
      await insertEventRows(clickhouse, [row]);
      outcomes.push({ ok: true });
    } catch (error) {
      outcomes.push({
        ok: false,
        error: error instanceof Error ? error : new Error(String(error)),
      });
    }
  }
  return outcomes;
}

export interface AnalyticsProjection {
  apply(event: CatalogEvent): Promise<void>;
  drain(): Promise<void>;
}

/**
 * Batched inserts: one INSERT per table per batch. An outage fails the whole batch (every event
 * retries); a refusal of the data is narrowed down to the events at fault.
 */
export function analyticsProjection(
  clickhouse: ClickHouseClient,
  batch: { maxItems: number; maxWaitMs: number },
): AnalyticsProjection {
  const batcher = new Batcher<EventRows>({
    ...batch,
    flush: async (rows) => {
      try {
        await insertEventRows(clickhouse, rows);
        return rows.map((): ItemOutcome => ({ ok: true }));
      } catch (error) {
        if (rows.length === 1 || isTransientStoreError(error)) throw error;
        return insertOneByOne(clickhouse, rows);
      }
    },
  });
  return {
    apply: async (event) => {
      if (event.aggregate !== 'product') return;
      await batcher.add(eventRows(event));
    },
    drain: () => batcher.drain(),
  };
}

import type { CatalogEvent, ProductEvent, ProductSnapshot } from '../../events/catalog-events.js';
import { Batcher, type ItemOutcome } from '../../projection/batcher.js';
import type { ClickHouseClient } from '../../stores/clickhouse.js';

/** One catalog_events row per product event; the table deduplicates retried inserts by event id. */
export function catalogEventRow(event: ProductEvent): Record<string, unknown> {
  const { snapshot, changes } = event;
  return {
    event_id: event.eventId,
    event_type: event.type,
    product_id: event.productId,
    version: event.version,
    occurred_at: event.occurredAt,
    ...snapshotColumns(snapshot),
    stock_delta: changes.stock?.delta ?? null,
    warehouse: changes.stock?.warehouse ?? null,
    reason: changes.stock?.reason ?? null,
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

export interface AnalyticsProjection {
  apply(event: CatalogEvent): Promise<void>;
  drain(): Promise<void>;
}

/** Batched inserts: one INSERT per batch, and the whole batch retries if ClickHouse refuses it. */
export function analyticsProjection(
  clickhouse: ClickHouseClient,
  batch: { maxItems: number; maxWaitMs: number },
): AnalyticsProjection {
  const batcher = new Batcher<Record<string, unknown>>({
    ...batch,
    flush: async (rows) => {
      await clickhouse.insert({
        table: 'catalog_events',
        values: [...rows],
        format: 'JSONEachRow',
      });
      return rows.map((): ItemOutcome => ({ ok: true }));
    },
  });
  return {
    apply: async (event) => {
      if (event.aggregate !== 'product') return;
      await batcher.add(catalogEventRow(event));
    },
    drain: () => batcher.drain(),
  };
}

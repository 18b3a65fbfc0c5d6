import type { CatalogEvent, ProductEvent } from '../../events/catalog-events.js';
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
    sku: snapshot.sku,
    status: snapshot.status,
    price_minor: snapshot.price?.amountMinor ?? null,
    currency: snapshot.price?.currency ?? null,
    stock_available: snapshot.stock.available,
    stock_delta: changes.stock?.delta ?? null,
    warehouse: changes.stock?.warehouse ?? null,
    reason: changes.stock?.reason ?? null,
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

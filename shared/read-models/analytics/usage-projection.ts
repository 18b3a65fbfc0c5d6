import type { UsageBatch, UsageEvent } from '../../events/usage-events.js';
import type { ClickHouseClient } from '../../stores/clickhouse.js';

/** Queries are grouped by their normalized form: case, width and spacing do not make a new query. */
export function normalizeQuery(query: string): string {
  return query.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim().slice(0, 512);
}

export function usageRows(events: readonly UsageEvent[]) {
  const searches: Record<string, unknown>[] = [];
  const views: Record<string, unknown>[] = [];
  for (const event of events) {
    if (event.kind === 'search') {
      searches.push({
        event_id: event.eventId,
        occurred_at: event.occurredAt,
        query: event.query.slice(0, 2048),
        normalized_query: normalizeQuery(event.query),
        filters: JSON.stringify(event.filters),
        result_count: event.resultCount,
        latency_ms: Math.round(event.latencyMs),
      });
    } else {
      views.push({
        event_id: event.eventId,
        occurred_at: event.occurredAt,
        product_id: event.productId,
      });
    }
  }
  return { searches, views };
}

export interface UsageProjection {
  /** Inserts one batch (one job); a retried job is deduplicated by event id in the tables. */
  apply(batch: UsageBatch): Promise<void>;
}

export function usageProjection(clickhouse: ClickHouseClient): UsageProjection {
  return {
    apply: async (batch) => {
      const { searches, views } = usageRows(batch.events);
      if (searches.length > 0)
        await clickhouse.insert({
          table: 'storefront_searches',
          values: searches,
          format: 'JSONEachRow',
        });
      if (views.length > 0)
        await clickhouse.insert({ table: 'product_views', values: views, format: 'JSONEachRow' });
    },
  };
}

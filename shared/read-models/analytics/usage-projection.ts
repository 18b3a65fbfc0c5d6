import { VIEW_COUNT_MAX, type UsageBatch, type UsageEvent } from '../../events/usage-events.js';
import type { ClickHouseClient } from '../../stores/clickhouse.js';

/** Queries are grouped by their normalized form: case, width and spacing do not make a new query. */
export function normalizeQuery(query: string): string {
  return query.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim().slice(0, 512);
}

/** An event of a job that can never be applied, and why; the rest of its job is applied. */
export interface RejectedUsage {
  readonly event: UsageEvent;
  readonly reason: string;
}

/**
 * The views a view event stands for, or why it cannot be applied. A job queued before views were
 * aggregated has no count: each of its events is one view (a rolling upgrade).
 */
export function viewCount(event: Extract<UsageEvent, { kind: 'view' }>): number | string {
  const views: unknown = event.views;
  if (views === undefined) return 1;
  if (typeof views !== 'number' || !Number.isInteger(views) || views < 1 || views > VIEW_COUNT_MAX)
    return `views must be an integer from 1 to ${VIEW_COUNT_MAX}, got ${shown(views)}`;
  return views;
}

/** A value as a log shows it, cut short: a job's payload is not ours to echo whole. */
function shown(value: unknown): string {
  const text = typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? typeof value);
  return text.slice(0, 40);
}

export function usageRows(events: readonly UsageEvent[]) {
  const searches: Record<string, unknown>[] = [];
  const views: Record<string, unknown>[] = [];
  const rejected: RejectedUsage[] = [];
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
      const count = viewCount(event);
      if (typeof count === 'string') {
        rejected.push({ event, reason: count });
        continue;
      }
      views.push({
        event_id: event.eventId,
        occurred_at: event.occurredAt,
        product_id: event.productId,
        // Always written: ClickHouse 18.16 fills a column a JSONEachRow row omits with 0, not with
        // its DEFAULT (the DEFAULT 1 only holds for rows written before the column existed).
        views: count,
      });
    }
  }
  return { searches, views, rejected };
}

export interface UsageProjection {
  /** Inserts one batch (one job); a retried job is deduplicated by event id in the tables. */
  apply(batch: UsageBatch): Promise<void>;
}

export interface UsageProjectionOptions {
  /**
   * Told of each event that can never be applied (a deterministic rejection): it is left out and
   * the rest of its job applied, so one bad event neither blocks nor dead-letters its batch.
   */
  readonly onRejected?: (rejected: RejectedUsage) => void;
}

export function usageProjection(
  clickhouse: ClickHouseClient,
  options: UsageProjectionOptions = {},
): UsageProjection {
  return {
    apply: async (batch) => {
      const { searches, views, rejected } = usageRows(batch.events);
      if (searches.length > 0)
        await clickhouse.insert({
          table: 'storefront_searches',
          values: searches,
          format: 'JSONEachRow',
        });
      if (views.length > 0)
        await clickhouse.insert({ table: 'product_views', values: views, format: 'JSONEachRow' });
      // After the inserts, so a job retried after a store failure reports its rejects once.
      for (const r of rejected) options.onRejected?.(r);
    },
  };
}

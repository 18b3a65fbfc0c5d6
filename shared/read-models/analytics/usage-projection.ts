import { Worker } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config/index.js';
import { bullPrefix, queueNames } from '../../events/queues.js';
import type { UsageBatch, UsageEvent } from '../../events/usage-events.js';
import type { ClickHouseClient } from '../../stores/clickhouse.js';
import { closeRedis, createRedis } from '../../stores/redis.js';

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

/** Inserts each usage batch (one job) into ClickHouse; a retried job is deduplicated by event id. */
export function attachUsageWorker(
  app: FastifyInstance,
  config: Config,
  clickhouse: ClickHouseClient,
): void {
  let worker: Worker<UsageBatch> | undefined;
  const connection = createRedis(config.redisUrl, 'blocking');
  connection.on('error', () => undefined);
  app.addHook('onReady', (done) => {
    worker = new Worker<UsageBatch>(
      queueNames.usage,
      async (job) => {
        const { searches, views } = usageRows(job.data.events);
        if (searches.length > 0)
          await clickhouse.insert({
            table: 'storefront_searches',
            values: searches,
            format: 'JSONEachRow',
          });
        if (views.length > 0)
          await clickhouse.insert({ table: 'product_views', values: views, format: 'JSONEachRow' });
      },
      { connection, prefix: bullPrefix(config.redisKeyPrefix), concurrency: 4 },
    );
    worker.on('error', (error) => app.log.warn({ err: error }, 'usage worker error'));
    done();
  });
  app.addHook('preClose', async () => {
    await worker?.close();
    await closeRedis(connection);
  });
}

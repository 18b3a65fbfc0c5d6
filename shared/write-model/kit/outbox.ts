import { randomUUID } from 'node:crypto';
import { aggregateIdOf, type CatalogEvent } from '../../events/catalog-events.js';
import type { PoolClient } from '../../stores/postgres.js';

/** Appends events in the caller's transaction (DESIGN rule 1): no commit without its event. */
export async function appendToOutbox(
  client: PoolClient,
  events: readonly CatalogEvent[],
): Promise<void> {
  if (events.length === 0) return;
  await client.query(
    `INSERT INTO outbox (event_id, event_type, aggregate_type, aggregate_id, aggregate_version,
                         payload, correlation_id, occurred_at)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[], $5::bigint[], $6::jsonb[],
                          $7::text[], $8::timestamptz[])`,
    [
      events.map((e) => e.eventId),
      events.map((e) => e.type),
      events.map((e) => e.aggregate),
      events.map(aggregateIdOf),
      events.map((e) => e.version),
      events.map((e) => JSON.stringify(e)),
      events.map((e) => e.correlationId),
      events.map((e) => e.occurredAt),
    ],
  );
}

export const newEventId = (): string => randomUUID();

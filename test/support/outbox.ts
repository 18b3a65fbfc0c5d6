import { randomUUID } from 'node:crypto';
import type { Pool, PoolClient } from '../../shared/stores/postgres.js';

/** Inserts a minimal product event into the outbox, as a command would, returning its event id. */
export async function insertOutboxEvent(
  db: Pool | PoolClient,
  productId = randomUUID(),
  version = 1,
): Promise<string> {
  const eventId = randomUUID();
  const payload = { aggregate: 'product', eventId, type: 'ProductCreated', productId, version };
  await db.query(
    `INSERT INTO outbox (event_id, event_type, aggregate_type, aggregate_id, aggregate_version, payload)
     VALUES ($1, 'ProductCreated', 'product', $2, $3, $4)`,
    [eventId, productId, version, JSON.stringify(payload)],
  );
  return eventId;
}

import type { Queue } from 'bullmq';
import { Registry } from 'prom-client';
import t from 'tap';
import type { ProjectionName } from '../../shared/events/queues.js';
import { migrate } from '../../shared/stores/migrations.js';
import { postgresMigrationsDir } from '../../shared/stores/migrations-dir.js';
import { postgresFromConfig } from '../../shared/stores/open.js';
import { withTransaction } from '../../shared/stores/postgres.js';
import { openQueues } from '../../shared/stores/queues.js';
import { isolatedConfig, type Teardowns } from '../../test/support/isolation.js';
import { silentLogger } from '../../test/support/logger.js';
import { insertOutboxEvent } from '../../test/support/outbox.js';
import { waitFor } from '../../test/support/wait.js';
import { RelayLoop } from './loop.js';
import { pruneOutbox, relayBatch, relayMetrics } from './relay.js';

async function setup(t: Teardowns, redisUrl?: string) {
  const config = isolatedConfig(t);
  const postgres = postgresFromConfig(config, 'test');
  t.teardown(() => postgres.close());
  await migrate(postgres.client, config.databaseSchema, postgresMigrationsDir);
  const handle = openQueues(redisUrl ?? config.redisUrl, config.redisKeyPrefix, [
    'search',
    'detail',
    'analytics',
  ]);
  t.teardown(() => handle.close());
  const queues = handle.client as Record<ProjectionName, Queue>;
  const options = {
    pool: postgres.client,
    queues,
    batchSize: 100,
    attempts: 3,
    logger: silentLogger,
  };
  return { config, pool: postgres.client, queues, options };
}

async function unpublished(pool: Awaited<ReturnType<typeof setup>>['pool']): Promise<number> {
  const { rows } = await pool.query<{ n: string }>(
    'SELECT count(*) AS n FROM outbox WHERE published_at IS NULL',
  );
  return Number(rows[0]?.n);
}

t.test(
  'Each event becomes one job per projection queue, with the event id as job id',
  async (t) => {
    const { pool, queues, options } = await setup(t);
    const ids = [await insertOutboxEvent(pool), await insertOutboxEvent(pool)];
    t.equal(await relayBatch(options), 2);
    t.equal(await unpublished(pool), 0);
    for (const queue of Object.values(queues)) {
      for (const id of ids) {
        const job = await queue.getJob(id);
        t.equal(job?.data.eventId, id, `${queue.name} has ${id}`);
        t.equal(job?.opts.attempts, 3);
      }
    }
    t.equal(await relayBatch(options), 0, 'nothing left');
  },
);

t.test(
  'When the relay dies between enqueue and marking, the re-sent events are the same jobs',
  async (t) => {
    const { pool, queues, options } = await setup(t);
    for (let i = 0; i < 5; i++) await insertOutboxEvent(pool);
    await relayBatch(options);
    await pool.query('UPDATE outbox SET published_at = NULL');
    t.equal(await relayBatch(options), 5);
    for (const queue of Object.values(queues))
      t.equal(await queue.getWaitingCount(), 5, queue.name);
  },
);

t.test('A transaction holding a lower id commits late: both events are published', async (t) => {
  const { pool, options, queues } = await setup(t);
  const lowerId = await withTransaction(pool, async (slow) => {
    const lower = await insertOutboxEvent(slow);
    const higherId = await insertOutboxEvent(pool);
    t.equal(await relayBatch(options), 1, 'only the committed event is visible');
    t.ok(await queues.search.getJob(higherId));
    return lower;
  });
  t.equal(await relayBatch(options), 1, 'the late one is not skipped');
  t.ok(await queues.search.getJob(lowerId));
  const { rows } = await pool.query<{ id: string; event_id: string }>(
    'SELECT id, event_id FROM outbox ORDER BY id',
  );
  t.equal(rows[0]?.event_id, lowerId, 'the late event really had the lower id');
  t.equal(await unpublished(pool), 0);
});

t.test('Several relays at once publish every event exactly once', async (t) => {
  const { pool, queues, options } = await setup(t);
  await pool.query(
    `INSERT INTO outbox (event_id, event_type, aggregate_type, aggregate_id, aggregate_version, payload)
     SELECT gen_random_uuid(), 'ProductCreated', 'product', gen_random_uuid(), 1, '{"type":"ProductCreated"}'
       FROM generate_series(1, 600)`,
  );
  await pool.query(
    `UPDATE outbox SET payload = jsonb_set(payload, '{eventId}', to_jsonb(event_id::text))`,
  );
  const relay = async () => {
    let total = 0;
    for (let n = -1; n !== 0;) {
      n = await relayBatch({ ...options, batchSize: 25 });
      total += n;
    }
    return total;
  };
  const totals = await Promise.all([relay(), relay(), relay()]);
  t.equal(
    totals.reduce((a, b) => a + b, 0),
    600,
    'the relays shared the work without overlap',
  );
  t.ok(totals.filter((n) => n > 0).length >= 2, `work was spread: ${totals.join(', ')}`);
  for (const queue of Object.values(queues))
    t.equal(await queue.getWaitingCount(), 600, queue.name);
});

t.test('When Redis refuses, the relay fails and the events stay in the outbox', async (t) => {
  const { pool, options } = await setup(t, 'redis://127.0.0.1:1');
  await insertOutboxEvent(pool);
  await t.rejects(relayBatch({ ...options, enqueueTimeoutMs: 1000 }), /did not accept the batch/);
  t.equal(await unpublished(pool), 1);
});

t.test('The loop wakes on NOTIFY long before its poll interval', async (t) => {
  const { config, pool, queues, options } = await setup(t);
  const loop = new RelayLoop({
    ...options,
    databaseUrl: config.databaseUrl,
    schema: config.databaseSchema,
    pollIntervalMs: 60_000,
    retentionHours: 72,
  });
  loop.start();
  t.teardown(() => loop.stop());
  // the first batch runs at start; wait until the loop sleeps on its long poll, then write.
  await waitFor('the loop to go idle', async () =>
    (await unpublished(pool)) === 0 ? true : undefined,
  );
  await new Promise((resolve) => setImmediate(resolve));
  const eventId = await waitFor('the listener to be connected', async () => {
    const { rows } = await pool.query(
      "SELECT 1 FROM pg_stat_activity WHERE application_name = 'outbox-relay-listener' AND query LIKE 'LISTEN%'",
    );
    return rows.length > 0 ? insertOutboxEvent(pool) : undefined;
  });
  const job = await waitFor(
    'the event to reach the queue',
    () => queues.detail.getJob(eventId),
    10_000,
  );
  t.equal(job.id, eventId);
});

t.test('Published rows older than the retention are pruned; the rest stay', async (t) => {
  const { pool } = await setup(t);
  await insertOutboxEvent(pool);
  await insertOutboxEvent(pool);
  await insertOutboxEvent(pool);
  await pool.query(
    `UPDATE outbox SET published_at = now() - interval '5 hours' WHERE id = (SELECT min(id) FROM outbox)`,
  );
  await pool.query(
    `UPDATE outbox SET published_at = now() WHERE id = (SELECT max(id) FROM outbox)`,
  );
  t.equal(await pruneOutbox(pool, 1), 1);
  const { rows } = await pool.query<{ n: string }>('SELECT count(*) AS n FROM outbox');
  t.equal(Number(rows[0]?.n), 2, 'the recent and the unpublished rows are kept');
});

t.test(
  'Before the schema is migrated, /metrics still answers; the backlog appears once it can be counted',
  async (t) => {
    const config = isolatedConfig(t);
    const postgres = postgresFromConfig(config, 'test');
    t.teardown(() => postgres.close());
    const registry = new Registry();
    relayMetrics(registry, postgres.client);

    const before = await registry.metrics();
    t.match(before, /aisle_outbox_relayed_events_total 0/, 'the other metrics are exported');
    // prom-client writes NaN as "Nan"; Prometheus reads it either way.
    t.match(before, /^aisle_outbox_unpublished_events NaN$/im, 'the backlog is unknown, not 0');

    await migrate(postgres.client, config.databaseSchema, postgresMigrationsDir);
    await insertOutboxEvent(postgres.client);
    t.match(await registry.metrics(), /^aisle_outbox_unpublished_events 1$/m);
  },
);

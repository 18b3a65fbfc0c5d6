import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import t from 'tap';
import { isolatedConfig, type Teardowns } from '../../test/support/isolation.js';
import { silentLogger } from '../../test/support/logger.js';
import { waitFor } from '../../test/support/wait.js';
import type { UsageBatch, UsageEvent } from '../events/usage-events.js';
import { openQueues } from '../stores/queues.js';
import { openRedis } from '../stores/redis.js';
import { startProjectionWorker, startUsageWorker } from './worker.js';

/** A detail projection worker that has applied one job, so it is fully running. */
async function projectionWorker(t: Teardowns, drain: () => Promise<void>) {
  const config = isolatedConfig(t);
  const redis = openRedis(config.redisUrl);
  t.teardown(() => redis.close());
  const queues = openQueues(config.redisUrl, config.redisKeyPrefix, ['detail']);
  t.teardown(() => queues.close());
  const applied: string[] = [];
  const worker = startProjectionWorker({
    projection: 'detail',
    redisUrl: config.redisUrl,
    redisKeyPrefix: config.redisKeyPrefix,
    concurrency: 1,
    apply: async (event) => void applied.push(event.eventId),
    drain,
    registry: new Registry(),
    logger: silentLogger,
    redis: redis.client,
  });
  t.teardown(() => worker.close().catch(() => undefined));
  const eventId = randomUUID();
  const event = {
    eventId,
    type: 'ProductPriceChanged',
    version: 1,
    occurredAt: new Date().toISOString(),
  };
  await queues.client.detail?.add(event.type, event, { jobId: eventId });
  await waitFor('the worker to apply a job', async () =>
    applied.includes(eventId) ? true : undefined,
  );
  return worker;
}

/** quit() resolves on the server's reply; the socket ends just after. */
const connectionEnds = (connection: { status: string }) =>
  waitFor(
    'the connection to end',
    async () => (connection.status === 'end' ? true : undefined),
    2000,
  );

t.test('close() is idempotent: a second call returns the same promise', async (t) => {
  let drains = 0;
  const worker = await projectionWorker(t, async () => void drains++);
  const connection = await worker.worker.client;
  const first = worker.close();
  t.equal(worker.close(), first);
  await first;
  t.equal(worker.close(), first, 'also after it settled');
  t.equal(drains, 1, 'the projection was drained once');
  t.ok(await connectionEnds(connection), 'the worker connection is closed');
});

t.test('When one cleanup fails, then the later ones still run and close rejects', async (t) => {
  const failure = new Error('the last batch could not be written');
  const worker = await projectionWorker(t, () => Promise.reject(failure));
  const connection = await worker.worker.client;
  const error = await worker.close().catch((e: unknown) => e);
  t.type(error, AggregateError);
  t.same((error as AggregateError).errors, [failure]);
  t.match((error as AggregateError).message, /1 of 3 steps of closing the detail worker failed/);
  t.ok(await connectionEnds(connection), 'the connection was closed after the failed drain');
  t.equal(await worker.close().catch((e: unknown) => e), error, 'a second call: the same failure');
});

function usageBatch(n: number): UsageBatch {
  const events: UsageEvent[] = Array.from({ length: n }, () => ({
    kind: 'view',
    eventId: randomUUID(),
    occurredAt: new Date(Date.now() - 1000).toISOString(),
    productId: randomUUID(),
  }));
  return { events };
}

t.test(
  'The usage worker has the projection metrics, dead-letter logs and concurrency',
  async (t) => {
    const config = isolatedConfig(t);
    const queues = openQueues(config.redisUrl, config.redisKeyPrefix, ['usage']);
    t.teardown(() => queues.close());
    const queue = queues.client.usage;
    if (queue === undefined) throw new Error('no usage queue');
    const logs: { level: number; msg: string; projection?: string }[] = [];
    const logger = pino(
      { level: 'info' },
      {
        write: (line: string) => logs.push(JSON.parse(line) as (typeof logs)[number]),
      },
    );
    const registry = new Registry();

    const good = [usageBatch(3), usageBatch(2)];
    const poison = usageBatch(1);
    let active = 0;
    let mostActive = 0;
    const applied: UsageBatch[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const worker = startUsageWorker({
      redisUrl: config.redisUrl,
      redisKeyPrefix: config.redisKeyPrefix,
      concurrency: 2,
      apply: async (batch) => {
        active++;
        mostActive = Math.max(mostActive, active);
        try {
          if (batch.events[0]?.eventId === poison.events[0]?.eventId)
            throw new Error('clickhouse refused the batch');
          await gate;
          applied.push(batch);
        } finally {
          active--;
        }
      },
      registry,
      logger,
    });
    t.teardown(() => worker.close());

    await queue.add('usage', poison, { attempts: 1 });
    for (const batch of good) await queue.add('usage', batch, { attempts: 1 });
    await waitFor('two good batches applied at once', async () =>
      active === 2 ? true : undefined,
    );
    release();
    await waitFor('both good batches applied', async () =>
      applied.length === 2 ? true : undefined,
    );
    await waitFor('the poison batch failed', async () =>
      (await queue.getFailedCount()) === 1 ? true : undefined,
    );

    t.equal(mostActive, 2, 'at most the configured concurrency');
    t.same(
      applied.map((b) => b.events.length).sort(),
      [2, 3],
      'each job is applied as the batch it is',
    );
    const metrics = await registry.getMetricsAsJSON();
    /** A value of a metric; a histogram's count is its own series (metricName `<name>_count`). */
    const value = (name: string, labels: Record<string, string>, series = name) =>
      metrics
        .find((m) => m.name === name)
        ?.values.find(
          (v) =>
            ((v as { metricName?: string }).metricName ?? name) === series &&
            Object.entries(labels).every(([k, l]) => v.labels[k] === l),
        )?.value;
    t.equal(value('aisle_projection_events_total', { projection: 'usage', outcome: 'applied' }), 2);
    t.equal(
      value('aisle_projection_events_total', { projection: 'usage', outcome: 'dead_lettered' }),
      1,
    );
    t.equal(
      value(
        'aisle_projection_lag_seconds',
        { projection: 'usage' },
        'aisle_projection_lag_seconds_count',
      ),
      5,
      'the lag of every event in the applied batches',
    );
    const deadLettered = logs.find((l) => l.msg.startsWith('projection job dead-lettered'));
    t.match(deadLettered, { level: 50, projection: 'usage', msg: 'projection job dead-lettered' });
  },
);

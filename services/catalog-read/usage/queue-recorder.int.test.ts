import { Queue } from 'bullmq';
import { Registry } from 'prom-client';
import t from 'tap';
import type { UsageBatch } from '../../../shared/events/usage-events.js';
import { openQueues } from '../../../shared/stores/queues.js';
import { isolatedConfig, type Teardowns } from '../../../test/support/isolation.js';
import { waitFor } from '../../../test/support/wait.js';
import { MAX_FILTERS_CHARS, QueueUsageRecorder } from './queue-recorder.js';

function usageQueue(t: Teardowns) {
  const config = isolatedConfig(t);
  const handle = openQueues(config.redisUrl, config.redisKeyPrefix, ['usage']);
  t.teardown(async () => {
    await handle.client.usage?.obliterate({ force: true }).catch(() => undefined);
    await handle.close();
  });
  return handle.client.usage as Queue<UsageBatch>;
}

const bigFilters = { brand: Array.from({ length: 2_000 }, (_, i) => `brand-${i}`) };

t.test('When Redis is away, then the bytes held stay under their bound', async (t) => {
  // Nothing listens on port 1, and the client gives up at once instead of reconnecting.
  const queue = new Queue<UsageBatch>('usage-away', {
    connection: { host: '127.0.0.1', port: 1, retryStrategy: () => null, lazyConnect: true },
  });
  queue.on('error', () => undefined);
  t.teardown(() => queue.disconnect().catch(() => undefined));
  const registry = new Registry();
  const recorder = new QueueUsageRecorder({
    queue,
    registry,
    batchSize: 10,
    flushEveryMs: 10,
    maxBufferedBytes: 64 * 1024,
    sendTimeoutMs: 200,
  });
  t.teardown(() => recorder.close());
  let peak = 0;
  for (let i = 0; i < 2_000; i++) {
    recorder.recordSearch({ query: 'q'.repeat(2_000), filters: {}, resultCount: 1, latencyMs: 1 });
    peak = Math.max(peak, recorder.bytesHeld);
  }
  t.ok(peak <= 64 * 1024, `peak ${peak} bytes`);
  const dropped = (await registry.getSingleMetricAsString('aisle_usage_events_total')).match(
    /outcome="dropped"} (\d+)/,
  );
  t.ok(Number(dropped?.[1]) > 0, 'the excess is dropped and counted');
});

t.test('When nobody consumes the queue, then it never holds more than its bound', async (t) => {
  const queue = usageQueue(t);
  const recorder = new QueueUsageRecorder({
    queue,
    registry: new Registry(),
    batchSize: 1,
    flushEveryMs: 10,
    maxQueuedJobs: 5,
  });
  t.teardown(() => recorder.close());
  for (let i = 0; i < 50; i++) {
    recorder.recordView('0b4e7a52-6f1d-4c7e-9a0e-3d2f1c5b8a90');
    await recorder.flush();
  }
  t.equal(await queue.getWaitingCount(), 5);
});

t.test(
  'When a search carries huge filters, then the event keeps a marker, not the filters',
  async (t) => {
    const queue = usageQueue(t);
    const recorder = new QueueUsageRecorder({ queue, registry: new Registry(), batchSize: 1 });
    t.teardown(() => recorder.close());
    t.ok(JSON.stringify(bigFilters).length > MAX_FILTERS_CHARS);
    recorder.recordSearch({ query: 'shoe', filters: bigFilters, resultCount: 3, latencyMs: 2 });
    await recorder.flush();
    const [job] = await waitFor('the usage job', async () => {
      const jobs = await queue.getWaiting();
      return jobs.length > 0 ? jobs : undefined;
    });
    t.match(job?.data.events[0], { kind: 'search', query: 'shoe', filters: { truncated: true } });
  },
);

import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Registry } from 'prom-client';
import t from 'tap';
import type { UsageBatch, UsageEvent } from '../../../shared/events/usage-events.js';
import { openQueues } from '../../../shared/stores/queues.js';
import { isolatedConfig, type Teardowns } from '../../../test/support/isolation.js';
import { waitFor } from '../../../test/support/wait.js';
import { eventBytes, MAX_FILTERS_CHARS, QueueUsageRecorder } from './queue-recorder.js';

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

const PRODUCT_A = '1c0b7d6e-2f4a-4b8c-9d1e-5a6f7b8c9d0e';
const PRODUCT_B = '2d1c8e7f-3a5b-4c9d-8e2f-6b7a8c9d0e1f';

/** The events of every job waiting in the queue. */
async function waitingEvents(queue: Queue<UsageBatch>) {
  return (await queue.getWaiting()).flatMap((job) => job.data.events);
}

t.test(
  'When one product is viewed many times in one flush, then one event carries the count',
  async (t) => {
    const queue = usageQueue(t);
    const registry = new Registry();
    const recorder = new QueueUsageRecorder({ queue, registry, flushEveryMs: 60_000 });
    t.teardown(() => recorder.close());
    const before = Date.now();
    for (let i = 0; i < 1_000; i++) recorder.recordView(PRODUCT_A);
    for (let i = 0; i < 3; i++) recorder.recordView(PRODUCT_B);
    t.equal(recorder.bytesHeld, eventBytes(viewEvent(PRODUCT_A)) * 2, 'held: one per product');
    await recorder.flush();
    const events = await waitFor('the usage job', async () => {
      const found = await waitingEvents(queue);
      return found.length > 0 ? found : undefined;
    });
    t.equal((await queue.getWaiting()).length, 1, 'one job');
    t.equal(events.length, 2, 'one event per product');
    const a = events.find((e) => e.kind === 'view' && e.productId === PRODUCT_A);
    const b = events.find((e) => e.kind === 'view' && e.productId === PRODUCT_B);
    t.match(a, { kind: 'view', productId: PRODUCT_A, views: 1_000 });
    t.match(b, { kind: 'view', productId: PRODUCT_B, views: 3 });
    t.not(a?.eventId, b?.eventId, 'an event id per product');
    t.equal(a?.occurredAt, b?.occurredAt, 'both at the flush window time');
    const at = Date.parse(a?.occurredAt ?? '');
    t.ok(at >= before - 1_000 && at <= Date.now(), `occurredAt ${a?.occurredAt} is the flush time`);
    t.equal(at % 1_000, 0, 'second resolution');
    t.equal(recorder.bytesHeld, 0, 'nothing held once sent');
    const sent = (await registry.getSingleMetricAsString('aisle_usage_events_total')).match(
      /outcome="sent"} (\d+)/,
    );
    t.equal(Number(sent?.[1]), 1_003, 'every view counted as sent');

    // The next flush window starts from zero with new event ids.
    recorder.recordView(PRODUCT_A);
    await recorder.flush();
    const later = await waitFor('the second job', async () => {
      const found = await waitingEvents(queue);
      return found.length === 3 ? found : undefined;
    });
    const again = later.filter((e) => e.kind === 'view' && e.productId === PRODUCT_A);
    t.equal(again.length, 2);
    t.match(
      again.find((e) => e.eventId !== a?.eventId),
      { views: 1 },
    );
  },
);

t.test(
  'When the distinct products reach their bound, then views of new products are dropped and counted, views of counted ones still count',
  async (t) => {
    const queue = usageQueue(t);
    const registry = new Registry();
    const recorder = new QueueUsageRecorder({
      queue,
      registry,
      flushEveryMs: 60_000,
      batchSize: 1_000,
      maxBuffered: 10,
    });
    t.teardown(() => recorder.close());
    const products = Array.from({ length: 25 }, () => randomUUID());
    for (const id of products) recorder.recordView(id);
    const held = recorder.bytesHeld;
    t.equal(held, 10 * eventBytes(viewEvent(PRODUCT_A)), 'ten products held');
    for (let i = 0; i < 500; i++) recorder.recordView(products[0] as string);
    t.equal(recorder.bytesHeld, held, 'a view of a counted product costs no memory');
    const dropped = (await registry.getSingleMetricAsString('aisle_usage_events_total')).match(
      /outcome="dropped"} (\d+)/,
    );
    t.equal(
      Number(dropped?.[1]),
      15,
      'each view of a product over the bound is dropped and counted',
    );
    await recorder.flush();
    const events = await waitFor('the usage job', async () => {
      const found = await waitingEvents(queue);
      return found.length > 0 ? found : undefined;
    });
    t.same(
      events.map((e) => (e.kind === 'view' ? [e.productId, e.views] : [])),
      products.slice(0, 10).map((id, i) => [id, i === 0 ? 501 : 1]),
    );
  },
);

t.test(
  'When a window reaches its product bound, then its views are sent at once, in jobs of the batch size',
  async (t) => {
    const queue = usageQueue(t);
    const recorder = new QueueUsageRecorder({
      queue,
      registry: new Registry(),
      flushEveryMs: 60_000,
      batchSize: 2,
      maxWindowProducts: 5,
    });
    t.teardown(() => recorder.close());
    for (let i = 0; i < 4; i++) recorder.recordView(PRODUCT_A); // one product: under the bound
    for (let i = 0; i < 3; i++) recorder.recordView(randomUUID());
    t.equal(await queue.getWaitingCount(), 0, 'four products: still counting');
    recorder.recordView(randomUUID());
    const jobs = await waitFor('the window in three jobs', async () => {
      const found = await queue.getWaiting();
      return found.length === 3 ? found : undefined;
    });
    const events = jobs.flatMap((job) => job.data.events);
    t.equal(events.length, 5, 'one event per product');
    t.same(jobs.map((job) => job.data.events.length).sort(), [1, 2, 2]);
    t.match(
      events.find((e) => e.kind === 'view' && e.productId === PRODUCT_A),
      { views: 4 },
    );
  },
);

t.test(
  'When a batch of products is viewed under load, then the window is not cut short',
  async (t) => {
    const queue = usageQueue(t);
    const recorder = new QueueUsageRecorder({
      queue,
      registry: new Registry(),
      flushEveryMs: 60_000,
      batchSize: 5,
    });
    t.teardown(() => recorder.close());
    const products = Array.from({ length: 20 }, () => randomUUID());
    for (let round = 0; round < 10; round++) for (const id of products) recorder.recordView(id);
    // A search batch going out meanwhile takes no views with it.
    for (let i = 0; i < 5; i++) {
      recorder.recordSearch({ query: 'tee', filters: {}, resultCount: 1, latencyMs: 1 });
    }
    const searches = await waitFor('the search batch', async () => {
      const found = await waitingEvents(queue);
      return found.length > 0 ? found : undefined;
    });
    t.same(
      searches.map((e) => e.kind),
      ['search', 'search', 'search', 'search', 'search'],
    );
    await recorder.flush();
    const views = (await waitingEvents(queue)).filter((e) => e.kind === 'view');
    t.equal(views.length, 20, 'one event per product for the whole window');
    t.ok(
      views.every((e) => e.kind === 'view' && e.views === 10),
      'each carries all ten views',
    );
  },
);

function viewEvent(productId: string): UsageEvent {
  return { kind: 'view', eventId: randomUUID(), occurredAt: new Date().toISOString(), productId };
}

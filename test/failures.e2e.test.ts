// Stores going away and workers dying: every change still reaches every read model afterwards.
import { Queue } from 'bullmq';
import t from 'tap';
import { loadConfig } from '../shared/config/index.js';
import { bullPrefix, queueNames } from '../shared/events/queues.js';
import { detailKeys } from '../shared/read-models/detail/document.js';
import { createClickHouse } from '../shared/stores/clickhouse.js';
import { openRedis } from '../shared/stores/redis.js';
import { createSearchEngine } from '../shared/stores/search/open.js';
import { sampleProduct, writeHarness, type WriteHarness } from './support/catalog-write.js';
import { isolatedEnv } from './support/isolation.js';
import { startPipeline, type Pipeline } from './support/pipeline.js';
import { freePort, startService } from './support/processes.js';
import { startTcpProxy } from './support/tcp-proxy.js';
import { waitFor } from './support/wait.js';

const realSearchUrl = new URL(process.env['SEARCH_URL'] ?? 'http://127.0.0.1:9200');
const realClickHouseUrl = new URL(process.env['CLICKHOUSE_URL'] ?? 'http://127.0.0.1:8123');

async function publishedProducts(write: WriteHarness, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let start = 0; start < count; start += 25) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(25, count - start) }, async () => {
        const res = await write.admin({
          method: 'POST',
          url: '/admin/v1/products',
          payload: sampleProduct({
            status: 'published',
            price: { amountMinor: 990, currency: 'EUR' },
          }),
        });
        return res.json<{ id: string }>().id;
      }),
    );
    ids.push(...batch);
  }
  return ids;
}

/** A retry budget much shorter than the outages below: two tries, 500 ms apart. */
const SHORT_BUDGET = { PROJECTION_ATTEMPTS: '2' };

function projectionQueue(
  config: ReturnType<typeof loadConfig>,
  projection: 'search' | 'analytics',
) {
  const queue = new Queue(queueNames[projection], {
    connection: { url: config.redisUrl } as never,
    prefix: bullPrefix(config.redisKeyPrefix),
  });
  return queue;
}

/** Resolves once the projection paused at least `times` times: the outage outlasted its budget. */
function pausedAtLeast(p: Pipeline, projection: 'search' | 'analytics', times: number) {
  return async () => {
    const text = await p.metrics(projection);
    const match = new RegExp(
      `aisle_projection_events_total\\{projection="${projection}",outcome="paused"[^}]*\\} (\\d+)`,
    ).exec(text);
    return Number(match?.[1] ?? 0) >= times ? true : undefined;
  };
}

t.test('When search is away for a while, every change is indexed once it is back', async (t) => {
  const proxy = await startTcpProxy(realSearchUrl);
  t.teardown(() => proxy.close());
  const p = await startPipeline(t, { SEARCH_URL: proxy.url, ...SHORT_BUDGET });
  const direct = createSearchEngine('opensearch', { url: realSearchUrl.toString() });
  t.teardown(() => direct.close());
  const queue = projectionQueue(p.config, 'search');
  t.teardown(() => queue.close());

  proxy.setDown(true);
  const ids = await publishedProducts(p.write, 10);
  await waitFor(
    'search to pause more often than its budget',
    pausedAtLeast(p, 'search', 4),
    30_000,
  );
  await direct.refresh(p.alias);
  t.equal(
    await direct.getDocument(p.alias, ids[0] as string),
    undefined,
    'nothing reached search meanwhile',
  );

  proxy.setDown(false);
  for (const id of ids) {
    await waitFor(
      `search to catch up on ${id}`,
      async () => {
        await direct.refresh(p.alias);
        return (await direct.getDocument(p.alias, id))?.version === 1 ? true : undefined;
      },
      30_000,
      200,
    );
  }
  t.pass('all 10 products were indexed after the outage');
  t.equal(await queue.getFailedCount(), 0, 'no change was dead-lettered by the outage');
});

t.test(
  'When ClickHouse is away for a while, every event is inserted once it is back',
  async (t) => {
    const proxy = await startTcpProxy(realClickHouseUrl);
    t.teardown(() => proxy.close());
    const p = await startPipeline(t, { CLICKHOUSE_URL: proxy.url, ...SHORT_BUDGET });
    const direct = createClickHouse({
      url: realClickHouseUrl.toString(),
      username: p.config.clickhouseUser,
      database: p.config.clickhouseDatabase,
    });
    t.teardown(() => direct.close());
    const queue = projectionQueue(p.config, 'analytics');
    t.teardown(() => queue.close());
    const count = async () => {
      const result = await direct.query({
        query: 'SELECT uniqExact(event_id) AS n FROM catalog_events',
        format: 'JSONEachRow',
      });
      return Number((await result.json<{ n: string }>())[0]?.n);
    };

    proxy.setDown(true);
    await publishedProducts(p.write, 10);
    await waitFor(
      'analytics to pause more often than its budget',
      pausedAtLeast(p, 'analytics', 4),
      30_000,
    );
    t.equal(await count(), 0);
    proxy.setDown(false);
    await waitFor(
      'analytics to catch up',
      async () => ((await count()) === 10 ? true : undefined),
      30_000,
      200,
    );
    t.pass('all 10 events were inserted after the outage');
    t.equal(await queue.getFailedCount(), 0, 'no event was dead-lettered by the outage');
  },
);

t.test('When a projector is killed mid-batch, nothing is lost after its restart', async (t) => {
  const env = isolatedEnv(t, {
    PROJECTION_LOCK_MS: '2000',
    OUTBOX_POLL_INTERVAL_MS: '100',
    OUTBOX_RELAY_PORT: String(await freePort()),
    DETAIL_PROJECTOR_PORT: String(await freePort()),
    PROJECTION_CONCURRENCY: '8',
  });
  const config = loadConfig(env);
  const write = await writeHarness(t, config);
  const redis = openRedis(config.redisUrl);
  t.teardown(() => redis.close());
  const relay = startService('outbox-relay', env);
  t.teardown(() => relay.child.kill('SIGKILL'));
  const ids = await publishedProducts(write, 300);

  const rendered = async (): Promise<number> => {
    const bodies = await Promise.all(
      ids.map((id) => redis.client.hget(detailKeys.product(config.redisKeyPrefix, id), 'body')),
    );
    return bodies.filter((b) => b !== null && b !== '').length;
  };
  const first = startService('projector-detail', env);
  t.teardown(() => first.child.kill('SIGKILL'));
  await waitFor(
    'the projector to make progress',
    async () => ((await rendered()) >= 20 ? true : undefined),
    60_000,
    20,
  );
  first.child.kill('SIGKILL');
  t.equal(await first.exited, 'SIGKILL');
  const atKill = await rendered();
  t.ok(atKill < 300, `killed part-way (${atKill} of 300 done)`);

  const second = startService('projector-detail', env);
  t.teardown(() => second.child.kill('SIGKILL'));
  await waitFor(
    'every product after the restart',
    async () => ((await rendered()) === 300 ? true : undefined),
    60_000,
    200,
  );
  t.pass('all 300 detail documents exist after the restart');
});

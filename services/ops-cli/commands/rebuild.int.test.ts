import { randomUUID } from 'node:crypto';
import t from 'tap';
import { sampleProduct } from '../../../test/support/catalog-write.js';
import { startPipeline, type Pipeline } from '../../../test/support/pipeline.js';
import type { SearchEngine } from '../../../shared/stores/search/engine.js';
import { liveCommands, slowedBulkIndex } from '../../../test/support/live-commands.js';
import { waitFor } from '../../../test/support/wait.js';
import type { Config } from '../../../shared/config/index.js';
import type { ProductSnapshot } from '../../../shared/events/catalog-events.js';
import {
  detailEtag,
  detailKeys,
  renderProductDetail,
} from '../../../shared/read-models/detail/document.js';
import { searchDocument } from '../../../shared/read-models/search/document.js';
import { renderBar, startProgress } from '../../../shared/cli/progress.js';
import { createClickHouse } from '../../../shared/stores/clickhouse.js';
import {
  extraSearchTargetsKey,
  productIndexNames,
} from '../../../shared/read-models/search/index-setup.js';
import { loadCategory } from '../../../shared/write-model/categories/repository.js';
import { loadProduct } from '../../../shared/write-model/products/repository.js';
import {
  BASELINE_EVENT_TYPE,
  baselineEventId,
  rebuildAnalytics,
} from '../../../shared/read-models/analytics/rebuild.js';
import { rebuildDetail } from '../../../shared/read-models/detail/rebuild.js';
import {
  acquireRebuildLock,
  LockBusy,
  rebuildLockKey,
} from '../../../shared/read-models/rebuild-lock.js';
import { rebuildSearch } from '../../../shared/read-models/search/rebuild.js';
import { keysetPages, productPage } from '../../../shared/write-model/pages.js';

const EUR = (amountMinor: number) => ({ amountMinor, currency: 'EUR' });

async function createProducts(
  p: Pipeline,
  n: number,
  extra: (i: number) => Record<string, unknown> = () => ({}),
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i += 10) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(10, n - i) }, async (_, j) => {
        const res = await p.write.admin({
          method: 'POST',
          url: '/admin/v1/products',
          payload: sampleProduct({
            name: `Product ${i + j}`,
            price: EUR(1000 + i + j),
            status: 'published',
            ...extra(i + j),
          }),
        });
        if (res.statusCode !== 201) throw new Error(`create: ${res.statusCode} ${res.body}`);
        return res.json<{ id: string }>().id;
      }),
    );
    ids.push(...batch);
  }
  return ids;
}

async function current(p: Pipeline, id: string): Promise<ProductSnapshot> {
  const product = await loadProduct(p.write.pool, id, false);
  if (product === undefined) throw new Error(`no product ${id}`);
  return product;
}

/** Resolves when every product's search document is exactly what its current version renders. */
async function searchMatchesWriteModel(p: Pipeline, ids: readonly string[], timeoutMs = 30_000) {
  await waitFor(
    'every search document to equal the write model',
    async () => {
      await p.search.client.refresh(p.alias);
      for (const id of ids) {
        const product = await current(p, id);
        const doc = await p.search.client.getDocument(p.alias, id);
        if (doc?.version !== product.version) return undefined;
        if (JSON.stringify(doc.source) !== JSON.stringify(searchDocument(product))) {
          return undefined;
        }
      }
      return true;
    },
    timeoutMs,
    200,
  );
}

async function indexExists(config: Config, index: string): Promise<boolean> {
  const res = await fetch(new URL(`/${index}`, config.searchUrl), { method: 'HEAD' });
  return res.status === 200;
}

/** Sends price changes, stock adjustments and unpublish/publish until stopped. */
function commandLoop(p: Pipeline, ids: readonly string[], workers = 4) {
  return liveCommands(workers, (w, k) => {
    const id = ids[(w * 7 + k * 13) % ids.length] ?? '';
    const kind = (w + k) % 4;
    // 409/422: a concurrent command won the race or the status did not allow it; both fine.
    return kind === 0
      ? p.write.admin({
          method: 'PUT',
          url: `/admin/v1/products/${id}/price`,
          payload: EUR(2000 + k),
        })
      : kind === 1
        ? p.write.admin({
            method: 'POST',
            url: `/admin/v1/products/${id}/stock-adjustments`,
            payload: { warehouse: `w${w}`, delta: 1 + (k % 5), reason: 'delivery' },
          })
        : p.write.admin({
            method: 'POST',
            url: `/admin/v1/products/${id}/${kind === 2 ? 'unpublish' : 'publish'}`,
          });
  });
}

t.test(
  'The progress bar: in place on a terminal, plain lines otherwise, then a summary',
  async (t) => {
    t.equal(
      renderBar('rebuild search', 250, 1000, 5000, 10),
      'rebuild search [###.......] 250/1,000 50/s eta 15.0 s',
    );
    let clock = 0;
    const written: string[] = [];
    const sink = (isTTY: boolean) => ({
      isTTY,
      write: (chunk: string) => written.push(chunk) > 0,
    });
    const plain = startProgress({
      label: 'x',
      total: 10,
      stream: sink(false) as never,
      plainIntervalMs: 1000,
      now: () => clock,
    });
    for (let i = 0; i < 10; i++) {
      clock += 250;
      plain.add(1);
    }
    t.equal(plain.finish(), 2500);
    t.same(written, [
      'x [###...........................] 1/10 4/s eta 2.3 s\n',
      'x [###############...............] 5/10 4/s eta 1.3 s\n',
      'x [###########################...] 9/10 4/s eta 0.3 s\n',
      'x: done, 10 in 2.5 s (4/s)\n',
    ]);
    written.length = 0;
    const tty = startProgress({
      label: 'y',
      total: 2,
      stream: sink(true) as never,
      now: () => clock,
    });
    tty.add(1);
    tty.note('a step');
    tty.finish('failed');
    t.ok(written[0]?.startsWith('\ry ['), 'redrawn in place');
    t.ok(written.includes('a step\n'));
    t.match(written.at(-1), /^y: failed, 1 in /);
  },
);

t.test('Product pages read the same snapshots as the write side', async (t) => {
  const p = await startPipeline(t);
  const ids = await createProducts(p, 23, (i) => ({
    attributes: { color: `c${i}`, size: ['40', '41'], weight_g: 100 + i },
    ...(i % 5 === 0 ? { price: undefined, status: 'draft' } : {}),
  }));
  await p.write.admin({
    method: 'POST',
    url: `/admin/v1/products/${ids[1]}/stock-adjustments`,
    payload: { warehouse: 'north', delta: 4, reason: 'delivery' },
  });
  await p.write.admin({ method: 'DELETE', url: `/admin/v1/products/${ids[2]}` });
  const read: ProductSnapshot[] = [];
  for await (const page of keysetPages((after) => productPage(p.write.pool, after, 5), 5)) {
    read.push(...page);
  }
  t.equal(read.length, 23);
  t.same(
    read.map((r) => r.id),
    [...ids].sort(),
    'every product once, in id order',
  );
  for (const product of read) t.same(product, await current(p, product.id));
});

t.test(
  'Search rebuild under live commands: alias swapped, old index gone, no update lost',
  async (t) => {
    const p = await startPipeline(t);
    const names = productIndexNames(p.config.searchIndexPrefix);
    const ids = await createProducts(p, 120);
    await searchMatchesWriteModel(p, ids);

    const loop = commandLoop(p, ids);
    const before = loop.sent;
    const report = await rebuildSearch(
      {
        config: p.config,
        engine: slowedBulkIndex(p.search.client, 25),
        redis: p.redis.client,
        pool: p.write.pool,
      },
      { pageSize: 8 },
    );
    const during = loop.sent - before;
    await new Promise((resolve) => setTimeout(resolve, 300)); // live traffic right after the swap
    await loop.stop();
    t.same(loop.errors, [], 'no command failed');
    t.ok(during > 20, `commands kept flowing during the rebuild (${during})`);
    t.comment(
      `indexed ${report.indexed}, newer live ${report.newerLive}, ${during} commands during the rebuild`,
    );

    t.equal(report.previousIndex, names.indexFor(1));
    t.equal(report.index, names.indexFor(2));
    t.ok(report.indexed + report.newerLive >= ids.length);
    t.same(report.warnings, []);
    t.same(await p.search.client.aliasTargets(p.alias), [names.indexFor(2)]);
    t.notOk(await indexExists(p.config, names.indexFor(1)), 'the old index is deleted');
    t.same(
      await p.redis.client.smembers(extraSearchTargetsKey(p.config.redisKeyPrefix)),
      [],
      'no extra write target is left',
    );
    t.equal(
      await p.redis.client.exists(rebuildLockKey(p.config.redisKeyPrefix, 'search')),
      0,
      'the lock is released',
    );
    await searchMatchesWriteModel(p, ids);
    t.pass('every document equals searchDocument(product) at its current version');

    // The next generation follows, and --keep-old keeps the previous one.
    const again = await rebuildSearch(
      { config: p.config, engine: p.search.client, redis: p.redis.client, pool: p.write.pool },
      { keepOld: true },
    );
    t.equal(again.index, names.indexFor(3));
    t.ok(await indexExists(p.config, names.indexFor(2)), '--keep-old keeps the previous index');
    t.same(await p.search.client.aliasTargets(p.alias), [names.indexFor(3)]);
  },
);

t.test('A failed backfill leaves the old index serving and removes the new target', async (t) => {
  const p = await startPipeline(t);
  const names = productIndexNames(p.config.searchIndexPrefix);
  const ids = await createProducts(p, 20);
  await searchMatchesWriteModel(p, ids);

  let calls = 0;
  const refusing: SearchEngine = {
    ...p.search.client,
    bulkIndex: async (index, documents) => {
      if (++calls < 2) return p.search.client.bulkIndex(index, documents);
      return documents.map((_, i) =>
        i === 1
          ? { status: 400, errorType: 'mapper_parsing_exception', reason: 'injected refusal' }
          : { status: 201 },
      );
    },
  };
  await t.rejects(
    rebuildSearch(
      { config: p.config, engine: refusing, redis: p.redis.client, pool: p.write.pool },
      { pageSize: 5, settleMs: 200 },
    ),
    /search refused product .*injected refusal/,
  );
  t.same(await p.search.client.aliasTargets(p.alias), [names.indexFor(1)], 'alias unchanged');
  t.notOk(await indexExists(p.config, names.indexFor(2)), 'the new index is deleted');
  t.same(await p.redis.client.smembers(extraSearchTargetsKey(p.config.redisKeyPrefix)), []);

  // Live events still reach the old index, and an interrupted rebuild rolls back the same way.
  const id = ids[0] ?? '';
  await p.write.admin({ method: 'PUT', url: `/admin/v1/products/${id}/price`, payload: EUR(5) });
  await searchMatchesWriteModel(p, [id]);
  const interrupt = new AbortController();
  interrupt.abort(new Error('interrupted by SIGINT'));
  await t.rejects(
    rebuildSearch(
      { config: p.config, engine: p.search.client, redis: p.redis.client, pool: p.write.pool },
      { settleMs: 100, signal: interrupt.signal },
    ),
    /interrupted/,
  );
  t.same(await p.search.client.aliasTargets(p.alias), [names.indexFor(1)]);
  t.notOk(await indexExists(p.config, names.indexFor(2)));

  // A leftover of a rebuild that died (index + target) is cleared by the next rebuild.
  await p.search.client.createIndex(names.indexFor(2));
  await p.redis.client.sadd(extraSearchTargetsKey(p.config.redisKeyPrefix), names.indexFor(2));
  const report = await rebuildSearch(
    { config: p.config, engine: p.search.client, redis: p.redis.client, pool: p.write.pool },
    { settleMs: 100 },
  );
  t.equal(report.index, names.indexFor(2));
  t.same(await p.search.client.aliasTargets(p.alias), [names.indexFor(2)]);
  await searchMatchesWriteModel(p, ids);
});

t.test('Two rebuilds of the same read model never run at once', async (t) => {
  const p = await startPipeline(t);
  const key = rebuildLockKey(p.config.redisKeyPrefix, 'search');
  const held = await acquireRebuildLock(p.redis.client, key);
  const second = await acquireRebuildLock(p.redis.client, key).catch((error: unknown) => error);
  t.ok(second instanceof LockBusy, 'the lock is taken');
  await t.rejects(
    rebuildSearch({
      config: p.config,
      engine: p.search.client,
      redis: p.redis.client,
      pool: p.write.pool,
    }),
    /another rebuild holds/,
  );
  t.same(await p.search.client.aliasTargets(p.alias), [
    productIndexNames(p.config.searchIndexPrefix).indexFor(1),
  ]);
  await held.release();
  t.equal(await p.redis.client.exists(key), 0);
});

t.test('Detail rebuild repairs documents, writes tombstones and removes orphans', async (t) => {
  const p = await startPipeline(t);
  const prefix = p.config.redisKeyPrefix;
  const redis = p.redis.client;
  const category = await p.write.admin({
    method: 'POST',
    url: '/admin/v1/categories',
    payload: { slug: 'shoes', name: 'Shoes' },
  });
  const categoryId = category.json<{ id: string }>().id;
  const ids = await createProducts(p, 12, () => ({ categoryId }));
  const [a = '', b = '', c = '', d = '', hidden = ''] = ids;
  const unpublished = await p.write.admin({
    method: 'POST',
    url: `/admin/v1/products/${hidden}/unpublish`,
  });
  const hiddenVersion = unpublished.json<{ version: number }>().version;
  const key = (id: string) => detailKeys.product(prefix, id);
  await waitFor('the detail documents', async () => {
    for (const id of ids) {
      const v = Number(await redis.hget(key(id), 'version'));
      if (v < (id === hidden ? hiddenVersion : 1)) return undefined;
    }
    return (await redis.hexists(detailKeys.categories(prefix), categoryId)) ? true : undefined;
  });

  await redis.hset(key(a), 'body', '{"stale":"rendering"}', 'etag', '"x"'); // same version
  await redis.del(key(b));
  await redis.hset(key(c), 'version', '0', 'body', 'older');
  await redis.del(key(d));
  await redis.set(key(d), 'not a hash'); // every script on it fails: WRONGTYPE
  const orphan = key(randomUUID());
  await redis.hset(orphan, 'version', '3', 'etag', '"o"', 'body', '{}');
  await redis.hset(key('not-a-product'), 'version', '1', 'body', '{}');
  const orphanCategory = randomUUID();
  await redis.hset(detailKeys.categories(prefix), orphanCategory, '{"version":1}');
  await redis.hset(detailKeys.categories(prefix), categoryId, 'not json');

  const report = await rebuildDetail(
    { config: p.config, redis, pool: p.write.pool },
    { pageSize: 5 },
  );
  t.equal(report.products, 12);
  t.equal(report.published, 11);
  t.equal(report.tombstones, 1);
  t.equal(report.orphansRemoved, 2);
  t.equal(report.categories, 1);
  t.equal(report.categoryOrphansRemoved, 1);
  t.ok(report.replacedCorrupt >= 2, 'the string key and the unreadable category were replaced');

  for (const id of ids) {
    const product = await current(p, id);
    const stored = await redis.hgetall(key(id));
    const body = product.status === 'published' ? renderProductDetail(product) : '';
    t.same(
      stored,
      { version: String(product.version), etag: body === '' ? '' : detailEtag(body), body },
      `detail of ${id === hidden ? 'the unpublished product (tombstone)' : id}`,
    );
  }
  t.equal(await redis.exists(orphan, key('not-a-product')), 0, 'orphans are gone');
  const categories = await redis.hgetall(detailKeys.categories(prefix));
  t.same(Object.keys(categories), [categoryId]);
  t.same(
    JSON.parse(categories[categoryId] ?? 'null'),
    await loadCategory(p.write.pool, categoryId, false),
  );

  // A newer live version is never overwritten by an equal-or-older rebuild write.
  await redis.hset(key(a), 'version', '99', 'body', 'from the future');
  await rebuildDetail({ config: p.config, redis, pool: p.write.pool });
  t.equal(await redis.hget(key(a), 'body'), 'from the future');
});

t.test('Analytics rebuild: retained events plus baselines, idempotent', async (t) => {
  const p = await startPipeline(t);
  const ids = await createProducts(p, 6);
  for (const id of ids.slice(0, 3)) {
    for (let k = 0; k < 3; k++) {
      await p.write.admin({
        method: 'POST',
        url: `/admin/v1/products/${id}/stock-adjustments`,
        payload: { warehouse: 'main', delta: k + 1, reason: 'delivery' },
      });
    }
  }
  await waitFor('every event to be published', async () => {
    const { rows } = await p.write.pool.query<{ n: string }>(
      'SELECT count(*) AS n FROM outbox WHERE published_at IS NULL',
    );
    return Number(rows[0]?.n) === 0 ? true : undefined;
  });
  const [partial = '', gone = '', full = ''] = ids;
  // The relay's pruning, simulated: early history of one product, all history of another.
  await p.write.pool.query('DELETE FROM outbox WHERE aggregate_id = $1 AND aggregate_version < 3', [
    partial,
  ]);
  await p.write.pool.query('DELETE FROM outbox WHERE aggregate_id = $1', [gone]);
  const { rows: retained } = await p.write.pool.query<{ n: string }>(
    "SELECT count(*) AS n FROM outbox WHERE aggregate_type = 'product'",
  );

  const fresh = { ...p.config, clickhouseDatabase: `${p.config.clickhouseDatabase}_rebuilt` };
  const clickhouse = createClickHouse({
    url: fresh.clickhouseUrl,
    username: fresh.clickhouseUser,
    database: fresh.clickhouseDatabase,
  });
  t.teardown(async () => {
    await clickhouse.command({ query: `DROP DATABASE IF EXISTS ${fresh.clickhouseDatabase}` });
    await clickhouse.close();
  });
  const query = async <T>(sql: string): Promise<T[]> =>
    (await clickhouse.query({ query: sql, format: 'JSONEachRow' })).json<T>();
  const counts = async () =>
    (await query<{ n: string }>('SELECT count() AS n FROM catalog_events FINAL'))[0]?.n;

  const deps = { config: fresh, redis: p.redis.client, pool: p.write.pool };
  const report = await rebuildAnalytics(deps, { pageSize: 4 });
  t.equal(report.events, Number(retained[0]?.n));
  t.equal(report.baselines, 2, 'one baseline for each product with pruned history');
  t.equal(report.skipped, 0);
  t.equal(Number(await counts()), report.events + report.baselines);

  const maxima = await query<{ id: string; v: string }>(
    'SELECT toString(product_id) AS id, max(version) AS v FROM catalog_events FINAL GROUP BY product_id',
  );
  const byId = new Map(maxima.map((r) => [r.id, Number(r.v)]));
  for (const id of ids) {
    t.equal(byId.get(id), (await current(p, id)).version, `max(version) of ${id}`);
  }
  const baselines = await query<{ id: string; event_id: string; version: string }>(
    `SELECT toString(product_id) AS id, toString(event_id) AS event_id, version
       FROM catalog_events FINAL WHERE event_type = '${BASELINE_EVENT_TYPE}' ORDER BY id`,
  );
  const expected = await Promise.all(
    [partial, gone].map(async (id) => {
      const version = (await current(p, id)).version;
      return { id, event_id: baselineEventId(id, version), version: String(version) };
    }),
  );
  t.same(
    baselines,
    expected.sort((x, y) => (x.id < y.id ? -1 : 1)),
    'baselines only where history was pruned',
  );
  t.notOk(baselines.some((b) => b.id === full));

  const again = await rebuildAnalytics(deps);
  t.same(again, report);
  t.equal(Number(await counts()), report.events + report.baselines, 'a re-run adds no duplicates');
});

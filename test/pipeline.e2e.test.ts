import t from 'tap';
import { readProduct } from '../shared/write-model/products/commands.js';
import { detailKeys, renderProductDetail } from '../shared/read-models/detail/document.js';
import { searchDocument } from '../shared/read-models/search/document.js';
import { sampleProduct } from './support/catalog-write.js';
import { startPipeline, type Pipeline } from './support/pipeline.js';
import { waitFor } from './support/wait.js';

async function searchVersion(p: Pipeline, id: string): Promise<number | undefined> {
  await p.search.client.refresh(p.alias);
  return (await p.search.client.getDocument(p.alias, id))?.version;
}

async function detailVersion(p: Pipeline, id: string): Promise<number | undefined> {
  const version = await p.redis.client.hget(
    detailKeys.product(p.config.redisKeyPrefix, id),
    'version',
  );
  return version === null ? undefined : Number(version);
}

async function analyticsVersion(p: Pipeline, id: string): Promise<number | undefined> {
  const result = await p.clickhouse.client.query({
    query: `SELECT max(version) AS v, count() AS n FROM catalog_events FINAL WHERE product_id = '${id}'`,
    format: 'JSONEachRow',
  });
  const [row] = await result.json<{ v: string; n: string }>();
  return Number(row?.n) === 0 ? undefined : Number(row?.v);
}

const reached = (probe: () => Promise<number | undefined>, version: number) => async () =>
  ((await probe()) ?? 0) >= version ? true : undefined;

t.test('A command reaches the search, detail and analytics read models', async (t) => {
  const p = await startPipeline(t);
  const created = await p.write.admin({
    method: 'POST',
    url: '/admin/v1/products',
    payload: sampleProduct({ price: { amountMinor: 1999, currency: 'EUR' }, status: 'published' }),
  });
  const { id, version } = created.json<{ id: string; version: number }>();

  await waitFor(
    'search to index it',
    reached(() => searchVersion(p, id), version),
  );
  await waitFor(
    'the detail document',
    reached(() => detailVersion(p, id), version),
  );
  await waitFor(
    'the analytics row',
    reached(() => analyticsVersion(p, id), version),
  );

  const product = await readProduct(p.write.pool, id);
  t.same((await p.search.client.getDocument(p.alias, id))?.source, searchDocument(product));
  t.equal(
    await p.redis.client.hget(detailKeys.product(p.config.redisKeyPrefix, id), 'body'),
    renderProductDetail(product),
  );

  const unpublished = await p.write.admin({
    method: 'POST',
    url: `/admin/v1/products/${id}/unpublish`,
  });
  const v2 = unpublished.json<{ version: number }>().version;
  await waitFor(
    'the unpublish in search',
    reached(() => searchVersion(p, id), v2),
  );
  await waitFor(
    'the unpublish in detail',
    reached(() => detailVersion(p, id), v2),
  );
  t.match((await p.search.client.getDocument(p.alias, id))?.source, { visible: false });
  t.equal(await p.redis.client.hget(detailKeys.product(p.config.redisKeyPrefix, id), 'body'), '');

  const { rows } = await p.write.pool.query<{ n: string }>(
    'SELECT count(*) AS n FROM outbox WHERE published_at IS NULL',
  );
  t.equal(Number(rows[0]?.n), 0, 'every event was published');
});

t.test('A burst of commands on many products all arrive, in any order', async (t) => {
  const p = await startPipeline(t);
  const ids = await Promise.all(
    Array.from({ length: 30 }, async (_, i) => {
      const res = await p.write.admin({
        method: 'POST',
        url: '/admin/v1/products',
        payload: sampleProduct({
          name: `Burst ${i}`,
          price: { amountMinor: 100 + i, currency: 'EUR' },
        }),
      });
      const id = res.json<{ id: string }>().id;
      await p.write.admin({ method: 'POST', url: `/admin/v1/products/${id}/publish` });
      await p.write.admin({
        method: 'POST',
        url: `/admin/v1/products/${id}/stock-adjustments`,
        payload: { warehouse: 'main', delta: i + 1, reason: 'delivery' },
      });
      return id;
    }),
  );
  for (const id of ids) {
    await waitFor(
      `search for ${id}`,
      reached(() => searchVersion(p, id), 3),
      20_000,
    );
    await waitFor(
      `detail for ${id}`,
      reached(() => detailVersion(p, id), 3),
      20_000,
    );
    await waitFor(
      `analytics for ${id}`,
      reached(() => analyticsVersion(p, id), 3),
      20_000,
    );
  }
  t.pass('all 30 products reached version 3 in every read model');
});

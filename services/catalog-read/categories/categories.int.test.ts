import { randomUUID } from 'node:crypto';
import t from 'tap';
import type { CategoryEvent, CategorySnapshot } from '../../../shared/events/catalog-events.js';
import { detailKeys } from '../../../shared/read-models/detail/document.js';
import { detailProjection } from '../../../shared/read-models/detail/projection.js';
import { rebuildDetail } from '../../../shared/read-models/detail/rebuild.js';
import { sampleProduct } from '../../../test/support/catalog-write.js';
import { startPipeline, type Pipeline } from '../../../test/support/pipeline.js';
import { startReadSide, type ReadSide } from '../../../test/support/read-side.js';
import { waitFor } from '../../../test/support/wait.js';

interface Node {
  id: string;
  name: string;
  productCount: number;
  children: Node[];
}

const flatten = (nodes: readonly Node[]): Node[] =>
  nodes.flatMap((n) => [n, ...flatten(n.children)]);

async function storefrontIds(read: ReadSide): Promise<string[]> {
  const res = await read.get('/v1/categories');
  if (res.statusCode !== 200) throw new Error(`/v1/categories: ${res.statusCode} ${res.body}`);
  return flatten(res.json<{ categories: Node[] }>().categories).map((n) => n.id);
}

async function createCategory(p: Pipeline, payload: Record<string, unknown>): Promise<string> {
  const res = await p.write.admin({ method: 'POST', url: '/admin/v1/categories', payload });
  if (res.statusCode !== 201) throw new Error(`category create failed: ${res.body}`);
  return res.json<{ id: string }>().id;
}

const staleEvent = (snapshot: CategorySnapshot): CategoryEvent => ({
  aggregate: 'category',
  eventId: randomUUID(),
  type: 'CategoryChanged',
  categoryId: snapshot.id,
  version: snapshot.version,
  occurredAt: snapshot.updatedAt,
  correlationId: null,
  snapshot,
  changes: { fields: ['name'] },
});

t.test(
  'A deleted category leaves the storefront tree through the pipeline, and stays gone',
  async (t) => {
    const p = await startPipeline(t);
    const read = await startReadSide(t, p);
    const shoes = await createCategory(p, { slug: 'shoes', name: 'Shoes' });
    const trail = await createCategory(p, { slug: 'trail', name: 'Trail', parentId: shoes });
    const bags = await createCategory(p, { slug: 'bags', name: 'Bags' });
    const product = await p.write.admin({
      method: 'POST',
      url: '/admin/v1/products',
      payload: sampleProduct({
        categoryId: shoes,
        status: 'published',
        price: { amountMinor: 1000, currency: 'EUR' },
      }),
    });
    t.equal(product.statusCode, 201);
    await waitFor('the three categories and the product on the storefront', async () => {
      const res = await read.get('/v1/categories');
      const nodes = flatten(res.json<{ categories: Node[] }>().categories);
      const counted = nodes.find((n) => n.id === shoes)?.productCount === 1;
      return nodes.length === 3 && counted ? true : undefined;
    });
    const trailBefore = await p.write.admin({
      method: 'GET',
      url: `/admin/v1/categories/${trail}`,
    });
    const trailV1 = trailBefore.json<CategorySnapshot>();

    const deleted = await p.write.admin({ method: 'DELETE', url: `/admin/v1/categories/${trail}` });
    t.equal(deleted.statusCode, 200);
    const ids = await waitFor('Trail to leave the storefront tree', async () => {
      const now = await storefrontIds(read);
      return now.includes(trail) ? undefined : now;
    });
    t.same(ids.sort(), [shoes, bags].sort(), 'only the deleted category is gone');
    const tree = (await read.get('/v1/categories')).json<{ categories: Node[] }>().categories;
    t.match(
      tree.find((n) => n.id === shoes),
      { children: [], productCount: 1 },
      'its parent keeps its products and has no child left',
    );

    // The read model keeps a versioned tombstone: an older event arriving late is refused.
    const key = detailKeys.categories(p.config.redisKeyPrefix);
    t.same(JSON.parse((await p.redis.client.hget(key, trail)) ?? 'null'), {
      id: trail,
      version: 2,
      deleted: true,
    });
    const projection = detailProjection(p.redis.client, p.config.redisKeyPrefix);
    t.equal(await projection.apply(staleEvent(trailV1)), false, 'the stale event is a no-op');
    t.notOk((await storefrontIds(read)).includes(trail), 'still gone after the stale event');

    // A rebuild from Postgres writes the same tombstone, and keeps it.
    await rebuildDetail({ config: p.config, redis: p.redis.client, pool: p.write.pool });
    t.same(JSON.parse((await p.redis.client.hget(key, trail)) ?? 'null'), {
      id: trail,
      version: 2,
      deleted: true,
    });
    t.equal(await projection.apply(staleEvent(trailV1)), false, 'refused after a rebuild too');
    t.notOk((await storefrontIds(read)).includes(trail));
  },
);

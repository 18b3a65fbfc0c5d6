// Category events of different categories may be applied out of order (DESIGN rule 3): a child's
// move can reach the detail read model before its parent's and leave a parent cycle there for a
// while. The storefront tree and the category filter of search must still show every category.
import t from 'tap';
import type { CatalogEvent } from '../../../shared/events/catalog-events.js';
import { detailProjection } from '../../../shared/read-models/detail/projection.js';
import { bootstrapSearch } from '../../../shared/read-models/search/index-setup.js';
import { searchProjection } from '../../../shared/read-models/search/projection.js';
import { openRedis } from '../../../shared/stores/redis.js';
import { openSearch } from '../../../shared/stores/search/open.js';
import { sampleProduct, writeHarness } from '../../../test/support/catalog-write.js';
import { isolatedConfig } from '../../../test/support/isolation.js';
import { startReadSide } from '../../../test/support/read-side.js';

interface Node {
  id: string;
  productCount: number;
  children: Node[];
}

/** Each category id with the ids of its children, depth first. */
const shape = (nodes: readonly Node[]): [string, string[]][] =>
  nodes.flatMap((n) => [[n.id, n.children.map((c) => c.id)], ...shape(n.children)]);

t.test(
  'Given a child moved before its parent in the read model, the tree and the filter show all',
  async (t) => {
    const config = isolatedConfig(t);
    const h = await writeHarness(t, config);
    const search = openSearch(config);
    t.teardown(() => search.close());
    const { alias } = await bootstrapSearch(search.client, config.searchIndexPrefix);
    const redis = openRedis(config.redisUrl);
    t.teardown(() => redis.close());
    const category = async (payload: Record<string, unknown>) =>
      (await h.admin({ method: 'POST', url: '/admin/v1/categories', payload })).json<{
        id: string;
      }>().id;
    const move = (id: string, parentId: string | null) =>
      h.admin({ method: 'PATCH', url: `/admin/v1/categories/${id}`, payload: { parentId } });

    // Apparel > Boots > Cleats, a product in Boots; then Cleats becomes a root and Boots moves
    // under it: Apparel, and Cleats > Boots.
    const apparel = await category({ slug: 'apparel', name: 'Apparel' });
    const boots = await category({ slug: 'boots', name: 'Boots', parentId: apparel });
    const cleats = await category({ slug: 'cleats', name: 'Cleats', parentId: boots });
    const product = await h.admin({
      method: 'POST',
      url: '/admin/v1/products',
      payload: sampleProduct({
        categoryId: boots,
        status: 'published',
        price: { amountMinor: 1000, currency: 'EUR' },
      }),
    });
    t.equal(product.statusCode, 201);
    t.equal((await move(cleats, null)).statusCode, 200);
    t.equal((await move(boots, cleats)).statusCode, 200);

    const events = (await h.outboxEvents()).map((row) => row.payload as unknown as CatalogEvent);
    const detail = detailProjection(redis.client, config.redisKeyPrefix);
    const indexed = searchProjection(search.client, () => Promise.resolve([alias]), {
      maxItems: 10,
      maxWaitMs: 5,
    });
    const moveOf = (id: string) =>
      events.find((e) => e.aggregate === 'category' && e.categoryId === id && e.version === 2);
    const cleatsMoved = moveOf(cleats);
    const bootsMoved = moveOf(boots);
    if (cleatsMoved === undefined || bootsMoved === undefined) throw new Error('no move events');
    // Every event but Cleats' move: Boots under Cleats, Cleats still under Boots.
    for (const event of events) {
      if (event === cleatsMoved) continue;
      await detail.apply(event);
      if (event.aggregate === 'product') await indexed.apply(event);
    }
    await search.client.refresh(alias);

    const read = await startReadSide(t, { config });
    const expected = [
      [apparel, []],
      [cleats, [boots]],
      [boots, []],
    ];
    const storefront = async () => {
      const res = await read.get('/v1/categories');
      t.equal(res.statusCode, 200);
      return shape(res.json<{ categories: Node[] }>().categories);
    };
    const inCleats = async () => {
      const res = await read.get(`/v1/search?category=${cleats}`);
      t.equal(res.statusCode, 200);
      return res.json<{ total: number }>().total;
    };
    t.same(await storefront(), expected, 'the cycle is shown as the tree it is becoming');
    t.equal(await inCleats(), 1, 'the filter reaches the product below the cycle');
    t.equal(bootsMoved.version, 2);

    await detail.apply(cleatsMoved);
    t.same(await storefront(), expected, 'and is that tree once the late event arrives');
    t.equal(await inCleats(), 1);
  },
);

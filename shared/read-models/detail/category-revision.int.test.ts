import t from 'tap';
import type { CategorySnapshot } from '../../events/catalog-events.js';
import { openRedis } from '../../stores/redis.js';
import { isolatedConfig, type Teardowns } from '../../../test/support/isolation.js';
import { CategoryTreeCache, removeCategories } from './category-revision.js';
import { detailKeys } from './document.js';
import { detailProjection } from './projection.js';

const at = '2026-11-27T06:00:00.000Z';
const category = (id: string, name: string, version: number): CategorySnapshot => ({
  id,
  slug: name.toLowerCase(),
  name,
  parentId: null,
  createdAt: at,
  updatedAt: at,
  version,
});

async function setup(t: Teardowns) {
  const config = isolatedConfig(t);
  const redis = openRedis(config.redisUrl);
  t.teardown(() => redis.close());
  const prefix = config.redisKeyPrefix;
  return {
    redis: redis.client,
    prefix,
    projection: detailProjection(redis.client, prefix),
    trees: new CategoryTreeCache(redis.client, prefix),
  };
}

const names = async (trees: CategoryTreeCache): Promise<string[]> =>
  (await trees.tree()).roots.map((root) => root.name);

t.test('The tree is held until a category changes, and every change is seen', async (t) => {
  const { projection, trees, redis, prefix } = await setup(t);
  t.same(await names(trees), [], 'an empty read model is an empty tree');

  await projection.putCategory(category('c1', 'Shoes', 1));
  const first = await trees.tree();
  t.same(
    first.roots.map((r) => r.name),
    ['Shoes'],
  );
  t.equal(await trees.tree(), first, 'nothing changed: the same tree, not rebuilt');

  t.equal(await projection.putCategory(category('c1', 'Shoes', 0)), false, 'a stale event');
  t.equal(await trees.tree(), first, 'a refused write is no change');

  await projection.putCategory(category('c1', 'Boots', 2));
  t.same(await names(trees), ['Boots'], 'a rename is seen at once');

  await projection.putCategory(category('c2', 'Bags', 1));
  t.same(await names(trees), ['Bags', 'Boots'], 'a new category is seen at once');

  t.equal(await removeCategories(redis, prefix, ['c2', 'missing']), 1);
  t.same(await names(trees), ['Boots'], 'a removed field is seen at once');
  const held = await trees.tree();
  t.equal(await removeCategories(redis, prefix, ['missing']), 0);
  t.equal(await trees.tree(), held, 'removing nothing is no change');
});

t.test(
  'A namespace dropped and filled again with as many writes is not taken for the old one',
  async (t) => {
    const { projection, trees, redis, prefix } = await setup(t);
    await projection.putCategory(category('c1', 'Shoes', 1));
    t.same(await names(trees), ['Shoes']);

    // The same number of writes after a reset: the count is 1 again, the epoch is not.
    await redis.del(detailKeys.categories(prefix), detailKeys.categoryRevision(prefix));
    await projection.putCategory(category('c9', 'Hats', 1));
    t.same(await names(trees), ['Hats']);
  },
);

t.test(
  'Without a revision (written before revisions existed) the tree is read whole',
  async (t) => {
    const { trees, redis, prefix } = await setup(t);
    const key = detailKeys.categories(prefix);
    await redis.hset(key, 'c1', JSON.stringify(category('c1', 'Shoes', 1)));
    t.same(await names(trees), ['Shoes']);
    await redis.hset(key, 'c1', JSON.stringify(category('c1', 'Boots', 2)));
    t.same(await names(trees), ['Boots'], 'no revision, nothing held');
  },
);

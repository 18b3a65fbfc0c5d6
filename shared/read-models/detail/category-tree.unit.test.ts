import t from 'tap';
import type { CategorySnapshot } from '../../events/catalog-events.js';
import { buildCategoryTree, liveCategories, renderCategory } from './category-tree.js';

const at = '2026-11-23T06:00:00.000Z';
const shoes: CategorySnapshot = {
  id: 'c1',
  slug: 'shoes',
  name: 'Shoes',
  parentId: null,
  createdAt: at,
  updatedAt: at,
  version: 3,
};

t.test(
  'A live category is stored as its snapshot, a deleted one as a bare tombstone',
  async (t) => {
    t.same(JSON.parse(renderCategory(shoes)), shoes);
    t.same(JSON.parse(renderCategory({ ...shoes, version: 4, deleted: true })), {
      id: 'c1',
      version: 4,
      deleted: true,
    });
  },
);

t.test('The tree is built from live categories only', async (t) => {
  const bags = { ...shoes, id: 'c2', slug: 'bags', name: 'Bags' };
  const fields = [renderCategory(shoes), renderCategory({ ...bags, version: 2, deleted: true })];
  const live = liveCategories(fields);
  t.same(live, [shoes]);
  const tree = buildCategoryTree(live);
  t.equal(tree.size, 1);
  t.notOk(tree.has('c2'));
});

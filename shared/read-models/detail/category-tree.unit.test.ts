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

const category = (id: string, parentId: string | null, updatedAt = at): CategorySnapshot => ({
  ...shoes,
  id,
  slug: id,
  name: id,
  parentId,
  updatedAt,
});
const later = '2026-11-23T07:00:00.000Z';
const ids = (nodes: readonly { id: string; children: readonly unknown[] }[]): unknown[] =>
  nodes.map((n) => [n.id, ids(n.children as typeof nodes)]);

t.test(
  'Given a parent cycle (a child moved before its parent), when the tree is built, then the oldest member is a root and nothing is lost',
  async (t) => {
    // b moved under c (newer); c's own move out from under b has not arrived yet
    const tree = buildCategoryTree([
      category('a', null),
      category('b', 'c', later),
      category('c', 'b'),
      category('d', 'b'),
    ]);
    t.same(ids(tree.roots), [
      ['a', []],
      ['c', [['b', [['d', []]]]]],
    ]);
    t.equal(tree.size, 4);
    t.same(tree.descendantsOf('c').sort(), ['b', 'c', 'd']);
    t.same(tree.descendantsOf('b').sort(), ['b', 'd']);
  },
);

t.test(
  'Given longer cycles and a category that is its own parent, when built, then each cycle has one root',
  async (t) => {
    const tree = buildCategoryTree([
      category('x', 'z', later),
      category('y', 'x', later),
      category('z', 'y'),
      category('self', 'self'),
    ]);
    t.same(ids(tree.roots), [
      ['self', []],
      ['z', [['x', [['y', []]]]]],
    ]);
    t.equal(tree.size, 4);
  },
);

t.test('Given an acyclic tree, when built, then orphans alone become extra roots', async (t) => {
  const tree = buildCategoryTree([category('a', null), category('b', 'a'), category('o', 'gone')]);
  t.same(ids(tree.roots), [
    ['a', [['b', []]]],
    ['o', []],
  ]);
});

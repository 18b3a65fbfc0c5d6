import t from 'tap';
import type { CategorySnapshot } from '../../events/catalog-events.js';
import { orderAsTree } from './tree-order.js';

const at = '2026-11-23T06:00:00.000Z';
const category = (id: string, name: string, parentId: string | null): CategorySnapshot => ({
  id,
  slug: name.toLowerCase(),
  name,
  parentId,
  version: 1,
  createdAt: at,
  updatedAt: at,
});

t.test('Parents come before their children, siblings by name, with depths', async (t) => {
  const listed = orderAsTree([
    category('w', 'Women', null),
    category('r', 'Running', 'm'),
    category('m', 'Men', null),
    category('h', 'Hiking', 'm'),
    category('t', 'Trail', 'r'),
    category('ws', 'Shoes', 'w'),
  ]);
  t.same(
    listed.map((c) => [c.id, c.depth]),
    [
      ['m', 0],
      ['h', 1],
      ['r', 1],
      ['t', 2],
      ['w', 0],
      ['ws', 1],
    ],
  );
  t.same(listed[3], {
    id: 't',
    slug: 'trail',
    name: 'Trail',
    parentId: 'r',
    depth: 2,
    version: 1,
    createdAt: at,
    updatedAt: at,
  });
});

t.test('Same names are ordered by id; no row is ever lost', async (t) => {
  const listed = orderAsTree([
    category('b', 'Same', null),
    category('a', 'Same', null),
    category('orphan', 'Orphan', 'gone'),
    category('x', 'X', 'y'),
    category('y', 'Y', 'x'),
  ]);
  t.same(
    listed.map((c) => c.id),
    ['orphan', 'a', 'b', 'x', 'y'],
    'an unknown parent lists as a root; a cycle is still listed',
  );
  t.equal(listed.find((c) => c.id === 'orphan')?.depth, 0);
});

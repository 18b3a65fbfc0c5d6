import t from 'tap';
import { buildCategoryTree } from '../../detail/category-tree.js';
import { categoriesNamedIn } from './category-signal.js';

t.test(
  'The category signal: categories whose whole name is in the query, with descendants',
  async (t) => {
    const at = '2025-01-01T00:00:00.000Z';
    const c = (id: string, name: string, parentId: string | null) => ({
      id,
      slug: id,
      name,
      parentId,
      createdAt: at,
      updatedAt: at,
      version: 1,
    });
    const tree = buildCategoryTree([
      c('shoes', 'Shoes', null),
      c('trail', 'Trail running', 'shoes'),
      c('bags', 'Bags', null),
      c('home', 'Home & Garden', null),
    ]);
    t.strictSame(categoriesNamedIn(tree, ['blue shoe']), ['shoes', 'trail']);
    t.strictSame(categoriesNamedIn(tree, ['Trail']), [], 'every word of the name is needed');
    t.strictSame(categoriesNamedIn(tree, ['running trail bag']), ['bags', 'trail']);
    t.strictSame(categoriesNamedIn(tree, ['garden', 'home garden']), ['home'], 'any alternative');
    t.strictSame(categoriesNamedIn(tree, ['']), []);
  },
);

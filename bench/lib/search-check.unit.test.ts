import t from 'tap';
import {
  compareAnswers,
  filterOnlyQueries,
  productLevelOnly,
  scopeCategory,
  type SearchAnswer,
} from './search-check.js';

const answer = (over: Partial<SearchAnswer['facets']> = {}, total = 10): SearchAnswer => ({
  total,
  items: [{ id: 'a' }, { id: 'b' }],
  facets: {
    brand: [
      { value: 'Stride', count: 6 },
      { value: 'Woolly', count: 4 },
    ],
    category: [{ value: 'c1', count: 10 }],
    price: [
      { from: 0, to: 1000, count: 3 },
      { from: 1000, to: null, count: 7 },
    ],
    inStock: [{ value: true, count: 8 }],
    attributes: { color: [{ value: 'red', count: 5 }] },
    ...over,
  },
});

const query = { path: '/v1/search?brand=Stride', sameItems: false };

t.test('equal answers: no difference, whatever the bucket order', async (t) => {
  const reordered = answer({
    brand: [
      { value: 'Woolly', count: 4 },
      { value: 'Stride', count: 6 },
    ],
  });
  t.same(compareAnswers(query, answer(), reordered), []);
});

t.test('every kind of difference is reported, with both sides', async (t) => {
  const other = answer(
    {
      brand: [{ value: 'Stride', count: 6 }],
      price: [
        { from: 0, to: 1000, count: 2 },
        { from: 1000, to: null, count: 7 },
      ],
      inStock: [{ value: true, count: 9 }],
      attributes: { color: [{ value: 'red', count: 4 }], size: [] },
    },
    11,
  );
  const found = compareAnswers(query, answer(), other).map((d) => d.what);
  t.same(found, [
    'total',
    'facets.brand',
    'facets.price',
    'facets.inStock',
    'facets.attributes names',
    'facets.attributes.color',
  ]);
  const total = compareAnswers(query, answer(), other)[0];
  t.same(total, { path: query.path, what: 'total', aisle: '10', baseline: '11' });
});

t.test('items are compared only where the order is total', async (t) => {
  const swapped = { ...answer(), items: [{ id: 'b' }, { id: 'a' }] };
  t.same(compareAnswers(query, answer(), swapped), []);
  const sorted = { path: '/v1/search?sort=price_asc', sameItems: true };
  t.same(
    compareAnswers(sorted, answer(), swapped).map((d) => d.what),
    ['items'],
  );
});

t.test('the queries cover each filter alone and combined, from real values', async (t) => {
  const tree = [
    { id: 'root-1', parentId: null },
    { id: 'middle-1', parentId: 'root-1' },
    { id: 'c1', parentId: 'middle-1' },
    { id: 'root-2', parentId: null },
  ];
  const scope = { category: 'root-1', answer: answer() };
  const queries = filterOnlyQueries(answer(), scope, tree, 42).map((q) => q.path);
  const has = (pattern: RegExp) => queries.some((p) => pattern.test(p));
  t.ok(has(/^\/v1\/search\?size=5$/), 'browse');
  t.ok(has(/category=(middle-1|root-2)$/), 'a parent category');
  t.ok(has(/category=root-1&brand=Stride&in_stock=true/), 'combinations within the scope');
  t.ok(has(/brand=Stride&brand=Woolly/), 'two brands');
  t.ok(has(/attr\.color=red/), 'an attribute');
  t.ok(has(/price_min=1000&price_max=10000/), 'a price range');
  t.ok(has(/in_stock=true/), 'in stock');
  t.ok(has(/category=.*brand=.*price_min=.*in_stock=.*attr\.color/), 'everything at once');
  t.equal(scopeCategory(answer(), tree), 'root-1', 'the root above the most frequent category');
  t.ok(has(/category=not-a-category-id/), 'an id that is not one');
  t.same(
    filterOnlyQueries(answer(), scope, tree, 42),
    filterOnlyQueries(answer(), scope, tree, 42),
    'deterministic for a seed',
  );
});

t.test('a catalog with variants: product-level searches and parts only', async (t) => {
  const other = answer({ price: [{ from: 0, to: 1000, count: 10 }], inStock: [] });
  t.same(compareAnswers(query, answer(), other, true), [], 'price and stock are not compared');
  t.equal(compareAnswers(query, answer(), other).length, 2, 'they are without variants');
  t.same(
    compareAnswers(query, answer(), answer({ brand: [{ value: 'Stride', count: 6 }] }), true).map(
      (d) => d.what,
    ),
    ['facets.brand'],
  );
  const kept = (path: string) => productLevelOnly({ path, sameItems: false });
  t.ok(kept('/v1/search?size=5&category=c1&brand=Stride&brand=Woolly'));
  t.notOk(kept('/v1/search?size=5&attr.color=red'));
  t.notOk(kept('/v1/search?size=5&in_stock=true'));
  t.notOk(kept('/v1/search?size=5&sort=price_asc'), 'a price order needs variant prices');
});

import t from 'tap';
import { mapFacets } from './facet-counts.js';
import { ALL_FACETS, FACET_SIZES, facetPlan } from './facets.js';
import type { BodyFilters } from './filters.js';

const noFilters: BodyFilters = { brands: [], inStock: false, attributes: [] };
const terms = (pairs: [string | number, number][], otherCount = 0) => ({
  doc_count_error_upper_bound: 0,
  sum_other_doc_count: otherCount,
  buckets: pairs.map(([key, doc_count]) => ({ key, doc_count })),
});
const priceBuckets = { buckets: [3, 0, 1, 0, 0, 2].map((doc_count) => ({ doc_count })) };

t.test('Without a selection, the facets come from the top-level aggregations', async (t) => {
  const facets = mapFacets(
    {
      brand: terms([['Acme', 3]]),
      category: terms([['c1', 2]]),
      price: priceBuckets,
      inStock: { buckets: [{ key: 1, key_as_string: 'true', doc_count: 4 }] },
      tokens: terms([
        ['color=red', 3],
        ['size=42', 2],
        ['color=blue', 1],
        ['fit=a=b', 1],
      ]),
    },
    facetPlan(noFilters, ALL_FACETS, true),
  );
  t.strictSame(facets, {
    brand: [{ value: 'Acme', count: 3 }],
    category: [{ value: 'c1', count: 2 }],
    price: [
      { from: 0, to: 1000, count: 3 },
      { from: 1000, to: 2500, count: 0 },
      { from: 2500, to: 5000, count: 1 },
      { from: 5000, to: 10000, count: 0 },
      { from: 10000, to: 25000, count: 0 },
      { from: 25000, to: null, count: 2 },
    ],
    inStock: [{ value: true, count: 4 }],
    attributes: {
      color: [
        { value: 'red', count: 3 },
        { value: 'blue', count: 1 },
      ],
      size: [{ value: '42', count: 2 }],
      fit: [{ value: 'a=b', count: 1 }],
    },
  });
  t.notOk('truncated' in facets, 'nothing was cut');
});

t.test('Selected groups are read from their own aggregations, browse or text', async (t) => {
  const filters: BodyFilters = {
    ...noFilters,
    brands: ['Acme'],
    attributes: [{ name: 'color', values: ['red'] }],
  };
  const own = {
    group_brand: {
      brand: terms([
        ['Acme', 3],
        ['Zed', 1],
      ]),
    },
    group_attr_0: {
      tokens: terms([
        ['color=red', 3],
        ['color=blue', 2],
      ]),
    },
  };
  const shared = { tokens: terms([['size=42', 2]]), price: priceBuckets };
  const expected = {
    brand: [
      { value: 'Acme', count: 3 },
      { value: 'Zed', count: 1 },
    ],
    attributes: {
      size: [{ value: '42', count: 2 }],
      color: [
        { value: 'red', count: 3 },
        { value: 'blue', count: 2 },
      ],
    },
  };
  const text = mapFacets({ shared, ...own }, facetPlan(filters, ALL_FACETS, false));
  t.match(text, expected);
  const browse = mapFacets(
    {
      ...shared,
      group_brand: { doc_count: 9, matching: own.group_brand },
      group_attr_0: { doc_count: 9, matching: own.group_attr_0 },
    },
    facetPlan(filters, ALL_FACETS, true),
  );
  t.match(browse, expected);
  t.equal(browse.price[0]?.count, 3);
});

t.test('Facets cut at their bucket limit say so; facets not asked for are empty', async (t) => {
  const many = Array.from({ length: FACET_SIZES.attributeValues + 1 }, (_, i): [string, number] => [
    `size=${i}`,
    100 - i,
  ]);
  const cutTokens = mapFacets(
    { brand: terms([['Acme', 3]], 7), tokens: terms([...many, ['color=red', 1]]) },
    facetPlan(noFilters, { fixed: ['brand'], attributes: 'all' }, true),
  );
  t.equal(cutTokens.attributes['size']?.length, FACET_SIZES.attributeValues);
  t.strictSame(cutTokens.truncated, ['brand', 'attr.size']);
  t.strictSame(cutTokens.price, [], 'price was not asked for');
  t.strictSame(cutTokens.category, []);
  const aggCut = mapFacets(
    {
      tokens: terms(
        [
          ['color=red', 3],
          ['size=1', 2],
        ],
        5,
      ),
    },
    facetPlan(noFilters, { fixed: [], attributes: 'all' }, true),
  );
  t.strictSame(aggCut.truncated, ['attributes', 'attr.color', 'attr.size']);
  const names = Array.from({ length: FACET_SIZES.attributeNames + 1 }, (_, i): [string, number] => [
    `n${String(i).padStart(2, '0')}=x`,
    50 - i,
  ]);
  const tooManyNames = mapFacets(
    { tokens: terms(names) },
    facetPlan(noFilters, { fixed: [], attributes: 'all' }, true),
  );
  t.equal(Object.keys(tooManyNames.attributes).length, FACET_SIZES.attributeNames);
  t.notOk('n20' in tooManyNames.attributes, 'the least frequent name is left out');
  t.strictSame(tooManyNames.truncated, ['attributes']);
  const selectedCut = mapFacets(
    { group_attr_0: { tokens: terms([['color=red', 3]], 4) } },
    facetPlan(
      { ...noFilters, brands: [], attributes: [{ name: 'color', values: ['red'] }] },
      { fixed: [], attributes: ['color'] },
      false,
    ),
  );
  t.strictSame(selectedCut, {
    brand: [],
    category: [],
    price: [],
    inStock: [],
    attributes: { color: [{ value: 'red', count: 3 }] },
    truncated: ['attr.color'],
  });
});

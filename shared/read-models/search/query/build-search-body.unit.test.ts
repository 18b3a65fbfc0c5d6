import t from 'tap';
import {
  buildSearchBody,
  sortClauses,
  type BodyFilters,
  type SearchBodyInput,
} from './build-search-body.js';

const noFilters: BodyFilters = { brands: [], inStock: false, attributes: [] };

const browse: SearchBodyInput = {
  units: [],
  signalCategories: [],
  filters: noFilters,
  sort: 'newest',
  size: 20,
  from: 0,
};

const source = [
  'id',
  'sku',
  'name',
  'brand',
  'priceMinor',
  'currency',
  'inStock',
  'categoryId',
  'image',
  'priceRange',
  'variantCount',
  'optionNames',
  'variants',
];

const priceRanges = [
  { from: 0, to: 1000 },
  { from: 1000, to: 2500 },
  { from: 2500, to: 5000 },
  { from: 5000, to: 10000 },
  { from: 10000, to: 25000 },
  { from: 25000 },
];

const brandFacet = { terms: { field: 'brand', size: 50 } };
const categoryFacet = { terms: { field: 'categoryId', size: 100 } };
const priceFacet = { range: { field: 'prices', ranges: priceRanges } };
const inStockFacet = { terms: { field: 'inStock', size: 2 } };

/** Without a selection, every facet is an aggregation of the main query: K + 1 = 1. */
const unfilteredAggs = {
  brand: brandFacet,
  category: categoryFacet,
  price: priceFacet,
  inStock: inStockFacet,
  tokens: { terms: { field: 'tokens', size: 1000 } },
};

const queryFilters = (body: Record<string, unknown>): unknown =>
  (body['query'] as { bool: { filter: unknown } }).bool.filter;

const highlight = {
  pre_tags: ['<em>'],
  post_tags: ['</em>'],
  encoder: 'html',
  require_field_match: false,
  fields: {
    name: { number_of_fragments: 0 },
    description: { fragment_size: 160, number_of_fragments: 1 },
  },
};

t.test('When q is empty, then the body browses published products, newest first', async (t) => {
  t.strictSame(buildSearchBody(browse), {
    track_total_hits: true,
    size: 21,
    from: 0,
    _source: source,
    query: { bool: { filter: [{ term: { visible: true } }], must: [{ match_all: {} }] } },
    sort: [{ createdAt: 'desc' }, { id: 'asc' }],
    aggs: unfilteredAggs,
  });
});

const visible = { term: { visible: true } };
const category = { terms: { categoryId: ['c1', 'c2'] } };
const brand = { terms: { brand: ['Acme', 'Stride'] } };
const color = { terms: { tokens: ['color=blue', 'color=red'] } };
const size = { terms: { tokens: ['size=42'] } };
const optionNames = { terms: { field: 'optionNames', size: 50 } };

// The variant condition (variant-filter.ts): one variant has the options, stock and price. For
// each subset of the filtered names that can be the product's options: its combination tokens
// (any asked value), and none of the other names is an option of the product.
const keys = (...tokens: string[]) => ({ terms: { variantKeys: tokens } });
const P1000 = '0000000001000';
const P5000 = '0000000005000';
const between = (prefix: string, low = P1000, high = P5000) => ({
  range: { variantKeys: { gte: `${prefix}|${low}`, lte: `${prefix}|${high}` } },
});
/** Some row's price within bounds, either stock flag: one range over every row's price. */
const rowPrice = (bounds: { gte?: number; lte?: number } = { gte: 1000, lte: 5000 }) => ({
  range: { prices: bounds },
});
const anyOf = (...clauses: unknown[]) =>
  clauses.length === 1 ? clauses[0] : { bool: { should: clauses, minimum_should_match: 1 } };
const noOptions = (clause: unknown, ...names: string[]) => ({
  bool: { filter: [clause], must_not: [{ terms: { optionNames: names } }] },
});
/** color (blue, red), size 42, in stock, 1000..5000 on one variant. */
const variantAll = anyOf(
  noOptions(between('|1'), 'color', 'size'),
  noOptions(anyOf(between('color=blue|1'), between('color=red|1')), 'size'),
  noOptions(between('size=42|1'), 'color'),
  anyOf(between('color=blue|size=42|1'), between('color=red|size=42|1')),
);
/** The same but the price (the price facet's others). */
const variantButPrice = anyOf(
  noOptions(keys('|1'), 'color', 'size'),
  noOptions(keys('color=blue|1', 'color=red|1'), 'size'),
  noOptions(keys('size=42|1'), 'color'),
  keys('color=blue|size=42|1', 'color=red|size=42|1'),
);
/** The same but the stock: either stock flag. */
const variantButStock = anyOf(
  noOptions(rowPrice(), 'color', 'size'),
  noOptions(
    anyOf(
      between('color=blue|0'),
      between('color=blue|1'),
      between('color=red|0'),
      between('color=red|1'),
    ),
    'size',
  ),
  noOptions(anyOf(between('size=42|0'), between('size=42|1')), 'color'),
  anyOf(
    between('color=blue|size=42|0'),
    between('color=blue|size=42|1'),
    between('color=red|size=42|0'),
    between('color=red|size=42|1'),
  ),
);
const variantButColor = anyOf(noOptions(between('|1'), 'size'), between('size=42|1'));
const variantButSize = anyOf(
  noOptions(between('|1'), 'color'),
  anyOf(between('color=blue|1'), between('color=red|1')),
);
const allFilters: BodyFilters = {
  categoryIds: ['c1', 'c2'],
  brands: ['Acme', 'Stride'],
  priceMin: 1000,
  priceMax: 5000,
  inStock: true,
  attributes: [
    { name: 'color', values: ['blue', 'red'] },
    { name: 'size', values: ['42'] },
  ],
};
const colorValues = { terms: { field: 'tokens', size: 30, include: '(color)=.*' } };
const sizeValues = { terms: { field: 'tokens', size: 30, include: '(size)=.*' } };

/** A browse's selected group: every visible product, with the other groups' filters. */
const globalGroup = (others: unknown[], aggs: unknown) => ({
  global: {},
  aggs: { matching: { filter: { bool: { filter: [visible, ...others] } }, aggs } },
});

t.test(
  'When a browse has filters, then they sit in the query, the unselected facets aggregate the hits and each selected group counts without its own filter',
  async (t) => {
    const body = buildSearchBody({ ...browse, filters: allFilters });
    t.strictSame(body, {
      track_total_hits: true,
      size: 21,
      from: 0,
      _source: source,
      query: {
        bool: {
          filter: [visible, category, brand, color, size, variantAll],
          must: [{ match_all: {} }],
        },
      },
      sort: [{ createdAt: 'desc' }, { id: 'asc' }],
      aggs: {
        tokens: { terms: { field: 'tokens', size: 1000, exclude: '(color|size)=.*' } },
        option_names: optionNames,
        group_brand: globalGroup([category, color, size, variantAll], { brand: brandFacet }),
        group_category: globalGroup([brand, color, size, variantAll], {
          category: categoryFacet,
        }),
        group_price: globalGroup([category, brand, color, size, variantButPrice], {
          price: priceFacet,
          option_names: optionNames,
        }),
        group_inStock: globalGroup([category, brand, color, size, variantButStock], {
          inStock: inStockFacet,
          option_names: optionNames,
        }),
        group_attr_0: globalGroup([category, brand, size, variantButColor], {
          tokens: colorValues,
          option_names: optionNames,
        }),
        group_attr_1: globalGroup([category, brand, color, variantButSize], {
          tokens: sizeValues,
          option_names: optionNames,
        }),
      },
    });
  },
);

t.test(
  'When a text search has filters, then the text runs once: filters in post_filter, one shared aggregation with every filter, one per selected group',
  async (t) => {
    const body = buildSearchBody({
      ...browse,
      units: [{ text: 'shoe', alternatives: [] }],
      sort: 'relevance',
      filters: {
        ...noFilters,
        brands: ['Acme', 'Stride'],
        attributes: [{ name: 'color', values: ['blue', 'red'] }],
      },
    });
    const variantColor = anyOf(
      { bool: { must_not: [{ terms: { optionNames: ['color'] } }] } },
      keys('color=blue|0', 'color=blue|1', 'color=red|0', 'color=red|1'),
    );
    t.strictSame(body['post_filter'], { bool: { filter: [brand, color, variantColor] } });
    t.strictSame((body['query'] as { bool: { filter: unknown } }).bool.filter, [visible]);
    t.strictSame(body['aggs'], {
      shared: {
        filter: { bool: { filter: [brand, color, variantColor] } },
        aggs: {
          category: categoryFacet,
          price: priceFacet,
          inStock: inStockFacet,
          tokens: { terms: { field: 'tokens', size: 1000, exclude: '(color)=.*' } },
          option_names: optionNames,
        },
      },
      group_brand: {
        filter: { bool: { filter: [color, variantColor] } },
        aggs: { brand: brandFacet },
      },
      group_attr_0: { filter: { bool: { filter: [brand] } }, aggs: { tokens: colorValues } },
    });
  },
);

t.test('When facets are limited, then only those are aggregated', async (t) => {
  const limited = buildSearchBody({
    ...browse,
    filters: {
      ...noFilters,
      brands: ['Acme', 'Stride'],
      attributes: [{ name: 'color', values: ['blue', 'red'] }],
    },
    facets: { fixed: ['price'], attributes: ['color', 'size'] },
  });
  t.strictSame(limited['aggs'], {
    price: priceFacet,
    tokens: { terms: { field: 'tokens', size: 1000, include: '(size)=.*' } },
    option_names: optionNames,
    group_attr_0: globalGroup([brand], { tokens: colorValues }),
  });
  const none = buildSearchBody({ ...browse, facets: { fixed: [], attributes: [] } });
  t.notOk('aggs' in none, 'facets=none: no aggregation at all');
});

t.test(
  'When only a price bound is given, then one row (any stock) is within it: a range on prices',
  async (t) => {
    const body = buildSearchBody({ ...browse, filters: { ...noFilters, priceMax: 999 } });
    t.strictSame(queryFilters(body), [visible, rowPrice({ lte: 999 })]);
    const inStock = buildSearchBody({
      ...browse,
      filters: { ...noFilters, priceMax: 999, inStock: true },
    });
    t.strictSame(
      queryFilters(inStock),
      [visible, between('|1', '0000000000000', '0000000000999')],
      'in stock: the price of an in-stock row, so its keys',
    );
  },
);

t.test('When the category is unknown, then its filter is an empty terms list', async (t) => {
  const body = buildSearchBody({ ...browse, filters: { ...noFilters, categoryIds: [] } });
  t.strictSame(queryFilters(body), [visible, { terms: { categoryId: [] } }]);
});

t.test('Every sort ends with the id, so equal values keep a stable order', async (t) => {
  t.strictSame(sortClauses('relevance'), [{ _score: 'desc' }, { id: 'asc' }]);
  t.strictSame(sortClauses('price_asc'), [
    { priceMinor: { order: 'asc', missing: '_last' } },
    { id: 'asc' },
  ]);
  t.strictSame(sortClauses('price_desc'), [
    { priceMinor: { order: 'desc', missing: '_last' } },
    { id: 'asc' },
  ]);
  t.strictSame(sortClauses('newest'), [{ createdAt: 'desc' }, { id: 'asc' }]);
  for (const sort of ['relevance', 'price_asc', 'price_desc', 'newest'] as const) {
    t.strictSame(buildSearchBody({ ...browse, sort })['sort'], sortClauses(sort), sort);
  }
});

t.test('When a cursor position is given, then search_after replaces from', async (t) => {
  const body = buildSearchBody({
    units: [],
    signalCategories: [],
    filters: noFilters,
    sort: 'price_asc',
    size: 10,
    searchAfter: [2599, '0b5f1c1e-2a3b-4c5d-8e9f-000000000001'],
  });
  t.strictSame(body, {
    track_total_hits: true,
    size: 11,
    search_after: [2599, '0b5f1c1e-2a3b-4c5d-8e9f-000000000001'],
    _source: source,
    query: { bool: { filter: [{ term: { visible: true } }], must: [{ match_all: {} }] } },
    sort: [{ priceMinor: { order: 'asc', missing: '_last' } }, { id: 'asc' }],
    aggs: unfilteredAggs,
  });
  t.notOk('from' in body);
});

t.test('The builder is pure: the same input gives the same body', async (t) => {
  const input: SearchBodyInput = {
    ...browse,
    units: [{ text: 'shoe', alternatives: ['sneaker'] }],
    sort: 'relevance',
  };
  t.strictSame(buildSearchBody(input), buildSearchBody(input));
  t.equal(JSON.stringify(buildSearchBody(input)), JSON.stringify(buildSearchBody(input)));
});

t.test(
  'When a number attribute is bounded, then the range runs over its order-preserving tokens',
  async (t) => {
    const body = buildSearchBody({
      ...browse,
      filters: {
        ...noFilters,
        attributes: [
          { name: 'weight', values: [], min: 1.5 },
          { name: 'width', values: ['10'], min: -2, max: 40 },
        ],
      },
    });
    t.strictSame(queryFilters(body), [
      visible,
      {
        range: {
          rangeTokens: { gte: 'weight=bff8000000000000', lte: 'weight=fff0000000000000' },
        },
      },
      {
        bool: {
          filter: [
            { terms: { tokens: ['width=10'] } },
            {
              range: {
                rangeTokens: { gte: 'width=3fffffffffffffff', lte: 'width=c044000000000000' },
              },
            },
          ],
        },
      },
      anyOf(
        { bool: { must_not: [{ terms: { optionNames: ['width'] } }] } },
        keys('width=10|0', 'width=10|1'),
      ),
    ]);
  },
);

// ----- relevance (relevance.ts): the exact bodies of the cases the issue names -----

const fields = ['name^5', 'brand.text^3', 'description^1', 'attributeText^1'];
const word = (query: string, boost?: number) => ({
  multi_match: {
    query,
    type: 'best_fields',
    tie_breaker: 0.3,
    fields,
    ...(boost === undefined ? {} : { boost }),
  },
});
const phrase = (query: string, boost?: number) => ({
  multi_match: { query, type: 'phrase', fields, ...(boost === undefined ? {} : { boost }) },
});
const namePhrase = (query: string) => ({
  multi_match: { query, type: 'phrase', fields: ['name.exact'], boost: 10 },
});
const allUnits = (clauses: unknown[]) => ({
  constant_score: { filter: { bool: { filter: clauses } }, boost: 1000 },
});

t.test(
  'When q has several words, then any word matches, and matching all of them adds a bonus above any partial score',
  async (t) => {
    const body = buildSearchBody({
      ...browse,
      units: [
        { text: 'red', alternatives: [] },
        { text: 'running', alternatives: [] },
        { text: 'shoes', alternatives: [] },
      ],
      signalCategories: ['cat-shoes'],
      sort: 'relevance',
      from: 40,
    });
    const clauses = [word('red'), word('running'), word('shoes')];
    t.strictSame(body, {
      track_total_hits: true,
      size: 21,
      from: 40,
      _source: source,
      query: {
        bool: {
          filter: [{ term: { visible: true } }],
          must: [{ bool: { should: clauses, minimum_should_match: 1 } }],
          should: [
            allUnits(clauses),
            namePhrase('red running shoes'),
            { terms: { categoryId: ['cat-shoes'], boost: 2 } },
          ],
        },
      },
      sort: [{ _score: 'desc' }, { id: 'asc' }],
      aggs: unfilteredAggs,
      highlight,
    });
  },
);

t.test(
  'When a phrase has synonyms, then it matches as a phrase and each synonym as its own phrase or word',
  async (t) => {
    const body = buildSearchBody({
      ...browse,
      units: [
        { text: 'grey', alternatives: [] },
        { text: 'hooded sweatshirt', alternatives: ['hoodie', 'zip up top'] },
      ],
      sort: 'relevance',
    });
    const hooded = {
      bool: {
        should: [phrase('hooded sweatshirt'), word('hoodie', 0.8), phrase('zip up top', 0.8)],
        minimum_should_match: 1,
      },
    };
    t.strictSame(body['query'], {
      bool: {
        filter: [{ term: { visible: true } }],
        must: [{ bool: { should: [word('grey'), hooded], minimum_should_match: 1 } }],
        should: [allUnits([word('grey'), hooded]), namePhrase('grey hooded sweatshirt')],
      },
    });
  },
);

t.test(
  'When the exact query asks for unit counts, then a filters aggregation counts each unit among the filtered products',
  async (t) => {
    const units = [
      { text: 'rain', alternatives: [] },
      { text: 'jakcet', alternatives: [] },
    ];
    const browseCounts = buildSearchBody({ ...browse, units, countUnits: true, sort: 'relevance' });
    t.strictSame((browseCounts['aggs'] as Record<string, unknown>)['unit_matches'], {
      filters: { filters: [word('rain'), word('jakcet')] },
    });
    const filtered = buildSearchBody({
      ...browse,
      units,
      countUnits: true,
      filters: { ...noFilters, brands: ['Acme', 'Stride'] },
    });
    t.strictSame((filtered['aggs'] as Record<string, unknown>)['unit_matches'], {
      filter: { bool: { filter: [brand] } },
      aggs: { units: { filters: { filters: [word('rain'), word('jakcet')] } } },
    });
    const single = buildSearchBody({ ...browse, units: units.slice(0, 1), countUnits: true });
    t.notOk('unit_matches' in (single['aggs'] as object), 'one unit: the total is its count');
  },
);

t.test(
  'When the fallback runs, then only the named words are also matched fuzzy, on name and brand',
  async (t) => {
    const body = buildSearchBody({
      ...browse,
      units: [
        { text: 'rain', alternatives: [] },
        { text: 'jakcet', alternatives: [] },
      ],
      fuzzyUnits: [1],
      sort: 'relevance',
    });
    const jacket = {
      bool: {
        should: [
          word('jakcet'),
          {
            multi_match: {
              query: 'jakcet',
              fields: ['name.exact', 'brand.text'],
              fuzziness: 'AUTO:4,8',
              prefix_length: 1,
              max_expansions: 10,
              boost: 0.5,
            },
          },
        ],
        minimum_should_match: 1,
      },
    };
    t.strictSame(body['query'], {
      bool: {
        filter: [{ term: { visible: true } }],
        must: [{ bool: { should: [word('rain'), jacket], minimum_should_match: 1 } }],
        should: [allUnits([word('rain'), jacket]), namePhrase('rain jakcet')],
      },
    });
  },
);

t.test('The hits part and the facets part split the body', async (t) => {
  const input: SearchBodyInput = {
    ...browse,
    units: [{ text: 'shoe', alternatives: [] }],
    filters: { ...noFilters, brands: ['Acme', 'Stride'] },
  };
  const all = buildSearchBody(input);
  const hits = buildSearchBody(input, 'hits');
  const facets = buildSearchBody(input, 'facets');
  const { aggs, ...allButFacets } = all;
  t.ok(aggs);
  t.strictSame(hits, allButFacets, 'hits: everything but the facets');
  t.strictSame(facets, {
    size: 0,
    track_total_hits: false,
    query: all['query'],
    aggs: all['aggs'],
  });
});

t.test(
  'When q could be a SKU, then a product or variant with that SKU matches too, above any text match',
  async (t) => {
    const body = buildSearchBody({
      ...browse,
      units: [
        { text: 'TS', alternatives: [] },
        { text: 'BLK', alternatives: [] },
      ],
      sku: 'TS-BLK',
      sort: 'relevance',
    });
    const clauses = [word('TS'), word('BLK')];
    t.strictSame(body['query'], {
      bool: {
        filter: [{ term: { visible: true } }],
        must: [
          {
            bool: {
              should: [
                { bool: { should: clauses, minimum_should_match: 1 } },
                { constant_score: { filter: { term: { skus: 'TS-BLK' } }, boost: 2000 } },
              ],
              minimum_should_match: 1,
            },
          },
        ],
        should: [allUnits(clauses), namePhrase('TS BLK')],
      },
    });
  },
);

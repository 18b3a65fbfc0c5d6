import t from 'tap';
import {
  buildSearchBody,
  sortClauses,
  type BodyFilters,
  type SearchBodyInput,
} from './build-search-body.js';

const noFilters: BodyFilters = { brands: [], inStock: false, attributes: [] };

const browse: SearchBodyInput = {
  text: '',
  alternatives: [],
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
const priceFacet = { range: { field: 'priceMinor', ranges: priceRanges } };
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

t.test(
  'When q has words, then name, brand, description and attributes are searched with typos, the exact name phrase, synonyms and the category signal',
  async (t) => {
    const body = buildSearchBody({
      ...browse,
      text: 'trail sneakers',
      alternatives: ['trail trainers'],
      signalCategories: ['cat-shoes', 'cat-trail'],
      sort: 'relevance',
      from: 40,
    });
    t.strictSame(body, {
      track_total_hits: true,
      size: 21,
      from: 40,
      _source: source,
      query: {
        bool: {
          filter: [{ term: { visible: true } }],
          must: [
            {
              bool: {
                should: [
                  {
                    multi_match: {
                      query: 'trail sneakers',
                      type: 'best_fields',
                      fields: ['name^5', 'name.exact^3', 'brand.text^3', 'description^1'],
                      tie_breaker: 0.3,
                      fuzziness: 'AUTO',
                      prefix_length: 1,
                      max_expansions: 10,
                    },
                  },
                  {
                    match: {
                      attributeText: {
                        query: 'trail sneakers',
                        fuzziness: 'AUTO',
                        prefix_length: 1,
                        max_expansions: 10,
                        boost: 1,
                      },
                    },
                  },
                  {
                    multi_match: {
                      query: 'trail sneakers',
                      type: 'phrase',
                      fields: ['name.exact'],
                      boost: 10,
                    },
                  },
                  {
                    multi_match: {
                      query: 'trail trainers',
                      type: 'best_fields',
                      fields: ['name^5', 'name.exact^3', 'brand.text^3', 'description^1'],
                      tie_breaker: 0.3,
                      boost: 0.8,
                    },
                  },
                  { match: { attributeText: { query: 'trail trainers', boost: 0.8 } } },
                ],
                minimum_should_match: 1,
              },
            },
          ],
          should: [{ terms: { categoryId: ['cat-shoes', 'cat-trail'], boost: 2 } }],
        },
      },
      sort: [{ _score: 'desc' }, { id: 'asc' }],
      aggs: unfilteredAggs,
      highlight,
    });
  },
);

const visible = { term: { visible: true } };
const category = { terms: { categoryId: ['c1', 'c2'] } };
const brand = { terms: { brand: ['Acme', 'Stride'] } };
const price = { range: { priceMinor: { gte: 1000, lte: 5000 } } };
const inStock = { term: { inStock: true } };
const color = { terms: { tokens: ['color=blue', 'color=red'] } };
const size = { terms: { tokens: ['size=42'] } };
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
          filter: [visible, category, brand, price, inStock, color, size],
          must: [{ match_all: {} }],
        },
      },
      sort: [{ createdAt: 'desc' }, { id: 'asc' }],
      aggs: {
        tokens: { terms: { field: 'tokens', size: 1000, exclude: '(color|size)=.*' } },
        group_brand: globalGroup([category, price, inStock, color, size], { brand: brandFacet }),
        group_category: globalGroup([brand, price, inStock, color, size], {
          category: categoryFacet,
        }),
        group_price: globalGroup([category, brand, inStock, color, size], { price: priceFacet }),
        group_inStock: globalGroup([category, brand, price, color, size], {
          inStock: inStockFacet,
        }),
        group_attr_0: globalGroup([category, brand, price, inStock, size], {
          tokens: colorValues,
        }),
        group_attr_1: globalGroup([category, brand, price, inStock, color], {
          tokens: sizeValues,
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
      text: 'shoe',
      typoTolerance: false,
      sort: 'relevance',
      filters: {
        ...noFilters,
        brands: ['Acme', 'Stride'],
        attributes: [{ name: 'color', values: ['blue', 'red'] }],
      },
    });
    t.strictSame(body['post_filter'], { bool: { filter: [brand, color] } });
    t.strictSame((body['query'] as { bool: { filter: unknown } }).bool.filter, [visible]);
    t.strictSame(body['aggs'], {
      shared: {
        filter: { bool: { filter: [brand, color] } },
        aggs: {
          category: categoryFacet,
          price: priceFacet,
          inStock: inStockFacet,
          tokens: { terms: { field: 'tokens', size: 1000, exclude: '(color)=.*' } },
        },
      },
      group_brand: { filter: { bool: { filter: [color] } }, aggs: { brand: brandFacet } },
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
    group_attr_0: globalGroup([brand], { tokens: colorValues }),
  });
  const none = buildSearchBody({ ...browse, facets: { fixed: [], attributes: [] } });
  t.notOk('aggs' in none, 'facets=none: no aggregation at all');
});

t.test('When only one price bound is given, then the range has only that bound', async (t) => {
  const body = buildSearchBody({ ...browse, filters: { ...noFilters, priceMax: 999 } });
  t.strictSame(queryFilters(body), [visible, { range: { priceMinor: { lte: 999 } } }]);
});

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
    text: '',
    alternatives: [],
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
  const input: SearchBodyInput = { ...browse, text: 'shoe', sort: 'relevance' };
  t.strictSame(buildSearchBody(input), buildSearchBody(input));
  t.equal(JSON.stringify(buildSearchBody(input)), JSON.stringify(buildSearchBody(input)));
});

t.test('When typo tolerance is off, then the words are matched without fuzziness', async (t) => {
  const body = buildSearchBody({ ...browse, text: 'shoe', typoTolerance: false });
  t.strictSame(
    (
      body['query'] as { bool: { must: { bool: { should: unknown[] } }[] } }
    ).bool.must[0]?.bool.should.slice(0, 2),
    [
      {
        multi_match: {
          query: 'shoe',
          type: 'best_fields',
          fields: ['name^5', 'name.exact^3', 'brand.text^3', 'description^1'],
          tie_breaker: 0.3,
        },
      },
      { match: { attributeText: { query: 'shoe', boost: 1 } } },
    ],
  );
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
    ]);
  },
);

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

/** The facets when no filter is given: every filter aggregation matches everything. */
const unfilteredAggs = {
  brand: {
    filter: { bool: { filter: [] } },
    aggs: { values: { terms: { field: 'brand', size: 50 } } },
  },
  category: {
    filter: { bool: { filter: [] } },
    aggs: { values: { terms: { field: 'categoryId', size: 100 } } },
  },
  price: {
    filter: { bool: { filter: [] } },
    aggs: { ranges: { range: { field: 'priceMinor', ranges: priceRanges } } },
  },
  inStock: {
    filter: { bool: { filter: [] } },
    aggs: { values: { terms: { field: 'inStock', size: 2 } } },
  },
  attributes: {
    filter: { bool: { filter: [] } },
    aggs: { tokens: { terms: { field: 'tokens', size: 1000 } } },
  },
};

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

t.test(
  'When filters are given, then they narrow the hits in post_filter and each facet counts with every filter but its own',
  async (t) => {
    const category = { terms: { categoryId: ['c1', 'c2'] } };
    const brand = { terms: { brand: ['Acme', 'Stride'] } };
    const price = { range: { priceMinor: { gte: 1000, lte: 5000 } } };
    const inStock = { term: { inStock: true } };
    const color = { terms: { tokens: ['color=blue', 'color=red'] } };
    const size = { terms: { tokens: ['size=42'] } };
    const body = buildSearchBody({
      ...browse,
      filters: {
        categoryIds: ['c1', 'c2'],
        brands: ['Acme', 'Stride'],
        priceMin: 1000,
        priceMax: 5000,
        inStock: true,
        attributes: [
          { name: 'color', values: ['blue', 'red'] },
          { name: 'size', values: ['42'] },
        ],
      },
    });
    t.strictSame(body, {
      track_total_hits: true,
      size: 21,
      from: 0,
      _source: source,
      query: { bool: { filter: [{ term: { visible: true } }], must: [{ match_all: {} }] } },
      post_filter: { bool: { filter: [category, brand, price, inStock, color, size] } },
      sort: [{ createdAt: 'desc' }, { id: 'asc' }],
      aggs: {
        brand: {
          filter: { bool: { filter: [category, price, inStock, color, size] } },
          aggs: { values: { terms: { field: 'brand', size: 50 } } },
        },
        category: {
          filter: { bool: { filter: [brand, price, inStock, color, size] } },
          aggs: { values: { terms: { field: 'categoryId', size: 100 } } },
        },
        price: {
          filter: { bool: { filter: [category, brand, inStock, color, size] } },
          aggs: { ranges: { range: { field: 'priceMinor', ranges: priceRanges } } },
        },
        inStock: {
          filter: { bool: { filter: [category, brand, price, color, size] } },
          aggs: { values: { terms: { field: 'inStock', size: 2 } } },
        },
        attributes: {
          filter: { bool: { filter: [category, brand, price, inStock, color, size] } },
          aggs: { tokens: { terms: { field: 'tokens', size: 1000 } } },
        },
        attr_0: {
          filter: { bool: { filter: [category, brand, price, inStock, size] } },
          aggs: { tokens: { terms: { field: 'tokens', size: 30, include: '(color)=.*' } } },
        },
        attr_1: {
          filter: { bool: { filter: [category, brand, price, inStock, color] } },
          aggs: { tokens: { terms: { field: 'tokens', size: 30, include: '(size)=.*' } } },
        },
      },
    });
  },
);

t.test('When only one price bound is given, then the range has only that bound', async (t) => {
  const body = buildSearchBody({ ...browse, filters: { ...noFilters, priceMax: 999 } });
  t.strictSame(body['post_filter'], {
    bool: { filter: [{ range: { priceMinor: { lte: 999 } } }] },
  });
});

t.test('When the category is unknown, then its filter is an empty terms list', async (t) => {
  const body = buildSearchBody({ ...browse, filters: { ...noFilters, categoryIds: [] } });
  t.strictSame(body['post_filter'], { bool: { filter: [{ terms: { categoryId: [] } }] } });
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
    t.strictSame(body['post_filter'], {
      bool: {
        filter: [
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
        ],
      },
    });
  },
);

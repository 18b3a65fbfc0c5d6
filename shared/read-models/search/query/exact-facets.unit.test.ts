import t from 'tap';
import { exactFacetRecount } from './exact-facets.js';
import { mapFacets } from './facet-counts.js';
import { ALL_FACETS, facetPlan } from './facets.js';
import type { BodyFilters } from './filters.js';
import { variantClause, withOptionClauses } from './variant-filter.js';

const black: BodyFilters = {
  brands: [],
  inStock: false,
  attributes: [{ name: 'color', values: ['black'] }],
};
const terms = (pairs: [string, number][]) => ({
  doc_count_error_upper_bound: 0,
  sum_other_doc_count: 0,
  buckets: pairs.map(([key, doc_count]) => ({ key, doc_count })),
});
const firstAnswer = (optionNames: [string, number][]) => ({
  price: { buckets: [0, 3, 2, 0, 0, 0].map((doc_count) => ({ doc_count })) },
  inStock: { buckets: [{ key: 1, key_as_string: 'true', doc_count: 3 }] },
  tokens: terms([
    ['size=M', 3],
    ['size=XL', 2],
    ['fit=slim', 1],
  ]),
  option_names: terms(optionNames),
  group_attr_0: {
    matching: { tokens: terms([['color=black', 3]]) },
  },
});
const queryWith = (filter: readonly unknown[]) => ({ bool: { filter: [...filter] } });
const plan = facetPlan(black, ALL_FACETS, true);

t.test('Without products with options in the scope, the counts are exact already', async (t) => {
  const aggs = firstAnswer([]);
  t.equal(exactFacetRecount(queryWith, plan, aggs, mapFacets(aggs, plan)), undefined);
  const none = facetPlan({ ...black, attributes: [] }, ALL_FACETS, true);
  t.notOk(none.sharedVariantCheck, 'no variant filter: nothing to check');
  const sizesOnly = firstAnswer([['size', 3]]);
  t.equal(
    exactFacetRecount(queryWith, plan, sizesOnly, mapFacets(sizesOnly, plan)),
    undefined,
    'color is no option there: black holds on every variant alike',
  );
});

t.test(
  'Under color=black, every listed size, price range and stock value is counted on black variants',
  async (t) => {
    const aggs = firstAnswer([
      ['color', 3],
      ['size', 3],
    ]);
    const recount = exactFacetRecount(queryWith, plan, aggs, mapFacets(aggs, plan));
    if (recount === undefined) throw new Error('a recount was expected');
    const body = recount.body as {
      size: number;
      query: unknown;
      aggs: Record<string, { filter: unknown; aggs: { values: { filters: { filters: object } } } }>;
    };
    t.equal(body.size, 0);
    t.strictSame(
      body.query,
      queryWith([{ terms: { tokens: ['color=black'] } }]),
      'the main query with the filters every scope shares',
    );
    t.strictSame(Object.keys(body.aggs), ['exact_0'], 'one scope: the shared facets');
    const scope = body.aggs['exact_0'];
    t.strictSame(scope?.filter, { bool: { filter: [] } });
    const filters = scope?.aggs.values.filters.filters as Record<string, unknown>;
    t.strictSame(Object.keys(filters), [
      ...[0, 1, 2, 3, 4, 5].map((i) => `s0_price_${i}`),
      's0_stock_true',
      's0_stock_false',
      's0_attr_0_size',
      's0_attr_1_size',
    ]);
    // size=XL on a black variant where size is an option; where it is not, every size value
    // shares one clause (black, size no option), counted by token in one aggregation.
    const black = { options: [{ name: 'color', values: ['black'] }], inStock: false };
    t.strictSame(filters['s0_attr_1_size'], {
      bool: {
        filter: [{ term: { tokens: 'size=XL' } }, withOptionClauses(black, 'size', 'XL').asOption],
      },
    });
    t.strictSame((scope?.aggs as Record<string, unknown>)['as_attribute_0'], {
      filter: withOptionClauses(black, 'size', '').asAttribute,
      aggs: {
        tokens: { terms: { field: 'tokens', include: ['size=M', 'size=XL'], size: 2 } },
      },
    });
    t.strictSame(filters['s0_price_1'], {
      bool: {
        filter: [
          variantClause({
            options: [{ name: 'color', values: ['black'] }],
            priceMin: 1000,
            priceMax: 2499,
            inStock: false,
          }),
        ],
      },
    });
    const blackInStock = variantClause({
      options: [{ name: 'color', values: ['black'] }],
      inStock: true,
    });
    t.strictSame(filters['s0_stock_false'], {
      bool: {
        filter: [
          variantClause({ options: [{ name: 'color', values: ['black'] }], inStock: false }),
        ],
        must_not: [blackInStock],
      },
    });

    const counts: Record<string, number> = {
      s0_price_1: 2,
      s0_price_2: 1,
      s0_stock_true: 2,
      s0_stock_false: 1,
      s0_attr_0_size: 2,
      s0_attr_1_size: 0,
    };
    const facets = recount.apply({
      exact_0: {
        doc_count: 3,
        values: {
          buckets: Object.fromEntries(
            Object.keys(filters).map((key) => [key, { doc_count: counts[key] ?? 0 }]),
          ),
        },
        as_attribute_0: { doc_count: 1, tokens: terms([['size=M', 1]]) },
      },
    });
    t.strictSame(facets.attributes, {
      size: [{ value: 'M', count: 3 }],
      fit: [{ value: 'slim', count: 1 }],
      color: [{ value: 'black', count: 3 }],
    });
    t.strictSame(
      facets.price.map((b) => b.count),
      [0, 2, 1, 0, 0, 0],
    );
    t.strictSame(facets.inStock, [
      { value: true, count: 2 },
      { value: false, count: 1 },
    ]);
  },
);

// The search body is built once for both engines. This checks, through the real Elasticsearch
// client with @elastic/elasticsearch-mock (no Elasticsearch runs here), that the adapter sends the
// built body unchanged: nothing moved to the query string, nothing renamed or dropped.
import MockModule from '@elastic/elasticsearch-mock';
import t from 'tap';
import { elasticsearchEngine } from '../../../stores/search/elasticsearch.js';
import { buildSearchBody } from './build-search-body.js';
import { buildSuggestBody } from './suggest.js';

type ClientMock = InstanceType<typeof MockModule.default>;
const Mock = MockModule as unknown as new () => ClientMock;

function mockedSearch() {
  const mock = new Mock();
  const received: { method: string; path: string; body: unknown; querystring: unknown }[] = [];
  mock.add({ method: ['GET', 'POST'], path: '/:index/_search' }, (params) => {
    received.push({
      method: String(params.method),
      path: String(params.path),
      body: params.body,
      querystring: params.querystring,
    });
    return { took: 1, hits: { total: { value: 0, relation: 'eq' }, hits: [] } };
  });
  const engine = elasticsearchEngine(
    { url: 'http://es.invalid:9200' },
    { Connection: mock.getConnection() },
  );
  return { engine, received };
}

t.test(
  'When the Elasticsearch adapter searches, then it sends exactly the built body',
  async (t) => {
    const { engine, received } = mockedSearch();
    const bodies = [
      buildSearchBody({
        units: [
          { text: 'trail', alternatives: [] },
          { text: 'sneakers', alternatives: ['trainers', 'running shoes'] },
        ],
        fuzzyUnits: [0],
        countUnits: true,
        signalCategories: ['c-shoes'],
        filters: {
          categoryIds: ['c1', 'c2'],
          brands: ['Acme', 'Stride'],
          priceMin: 1000,
          priceMax: 5000,
          inStock: true,
          attributes: [{ name: 'color', values: ['blue'] }],
        },
        sort: 'price_asc',
        size: 10,
        searchAfter: [2599, 'id-1'],
      }),
      buildSearchBody({
        units: [],
        signalCategories: [],
        filters: { brands: [], inStock: false, attributes: [] },
        sort: 'newest',
        size: 20,
        from: 40,
      }),
      buildSuggestBody('trail ru', 8, true),
      buildSearchBody(
        {
          units: [{ text: 'shoe', alternatives: [] }],
          signalCategories: [],
          filters: { brands: ['Acme'], inStock: false, attributes: [] },
          sort: 'relevance',
          size: 20,
          from: 0,
        },
        'facets',
      ),
    ];
    for (const body of bodies) await engine.search('shop-products', body);
    t.equal(received.length, bodies.length);
    received.forEach((request, i) => {
      t.equal(request.path, '/shop-products/_search');
      t.strictSame(request.body, bodies[i], `body ${i} arrived unchanged`);
      t.strictSame(request.querystring ?? {}, {}, `body ${i}: nothing went to the query string`);
    });
  },
);

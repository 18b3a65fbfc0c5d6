// No Elasticsearch can run on this machine (no Docker, no Elastic artifacts on the reachable
// registries), so this adapter is tested with @elastic/elasticsearch-mock: the same flows as the
// OpenSearch integration test, checked at the level of the requests the adapter sends.
import { errors } from '@elastic/elasticsearch';
import MockModule, { type MockPattern } from '@elastic/elasticsearch-mock';
import t from 'tap';
import { bootstrapSearch } from '../../read-models/search/index-setup.js';
import { elasticsearchEngine } from './elasticsearch.js';

// The package is CommonJS with an ESM-style declaration; at run time the import is the class.
type ClientMock = InstanceType<typeof MockModule.default>;
const Mock = MockModule as unknown as new () => ClientMock;

function responseError(statusCode: number, type: string) {
  const body = { error: { type }, status: statusCode };
  return new errors.ResponseError({
    body,
    statusCode,
    headers: {},
    warnings: null,
    meta: {} as never,
  });
}

interface Recorded {
  method: string;
  path: string;
  body: unknown;
}

function mockedEngine() {
  const mock = new Mock();
  const requests: Recorded[] = [];
  const record = (params: MockPattern) =>
    requests.push({ method: String(params.method), path: String(params.path), body: params.body });
  const engine = elasticsearchEngine(
    { url: 'http://es.invalid:9200' },
    { Connection: mock.getConnection() },
  );
  return { mock, engine, requests, record };
}

t.test(
  'When the alias is missing, then bootstrap puts the template, creates the index and adds the alias',
  async (t) => {
    const { mock, engine, requests, record } = mockedEngine();
    mock.add({ method: 'PUT', path: '/_index_template/:name' }, (params) => {
      record(params);
      return { acknowledged: true };
    });
    mock.add({ method: 'GET', path: '/_alias/:name' }, (params) => {
      record(params);
      return responseError(404, 'aliases_not_found_exception');
    });
    mock.add({ method: 'PUT', path: '/:index' }, (params) => {
      record(params);
      return { acknowledged: true, index: 'shop-products-000001' };
    });
    mock.add({ method: 'POST', path: '/_aliases' }, (params) => {
      record(params);
      return { acknowledged: true };
    });

    const report = await bootstrapSearch(engine, 'shop');
    t.same(report, { alias: 'shop-products', index: 'shop-products-000001', created: true });
    t.same(
      requests.map((r) => `${r.method} ${r.path}`),
      [
        'PUT /_index_template/shop-products',
        'GET /_alias/shop-products',
        'PUT /shop-products-000001',
        'POST /_aliases',
      ],
    );
    t.match(requests[0]?.body, {
      index_patterns: ['shop-products-*'],
      priority: 100,
      template: { mappings: { dynamic: 'strict' } },
    });
    t.same(requests[3]?.body, {
      actions: [{ add: { index: 'shop-products-000001', alias: 'shop-products' } }],
    });
  },
);

t.test('When the alias exists, then bootstrap leaves it where it is', async (t) => {
  const { mock, engine } = mockedEngine();
  mock.add({ method: 'PUT', path: '/_index_template/:name' }, () => ({ acknowledged: true }));
  mock.add({ method: 'GET', path: '/_alias/:name' }, () => ({
    'shop-products-000007': { aliases: { 'shop-products': {} } },
  }));
  const report = await bootstrapSearch(engine, 'shop');
  t.same(report, { alias: 'shop-products', index: 'shop-products-000007', created: false });
});

t.test(
  'When another instance created the index first, then createIndex reports exists',
  async (t) => {
    const { mock, engine } = mockedEngine();
    mock.add({ method: 'PUT', path: '/:index' }, () => {
      return responseError(400, 'resource_already_exists_exception');
    });
    t.equal(await engine.createIndex('shop-products-000001'), 'exists');
  },
);

t.test('Cluster status and version come from the Elasticsearch responses', async (t) => {
  const { mock, engine } = mockedEngine();
  mock.add({ method: 'GET', path: '/_cluster/health' }, () => ({ status: 'red' }));
  mock.add({ method: 'GET', path: '/' }, () => ({ version: { number: '9.1.0' } }));
  t.equal(await engine.clusterStatus(), 'red');
  t.same(await engine.info(), { distribution: 'elasticsearch', version: '9.1.0' });
});

t.test('When an unexpected error comes back, then it is not swallowed', async (t) => {
  const { mock, engine } = mockedEngine();
  mock.add({ method: 'GET', path: '/_alias/:name' }, () => {
    return responseError(403, 'security_exception');
  });
  const error: unknown = await engine.aliasTargets('shop-products').then(
    () => undefined,
    (e: unknown) => e,
  );
  t.type(error, errors.ResponseError);
  t.equal((error as InstanceType<typeof errors.ResponseError>).statusCode, 403);
});

import t from 'tap';
import { writeHarness } from '../../test/support/catalog-write.js';

t.test('OpenAPI at /docs lists every route of the catalog-write contract', async (t) => {
  const h = await writeHarness(t);
  await h.app.ready();
  const res = await h.app.inject({ method: 'GET', url: '/docs/json' });
  t.equal(res.statusCode, 200);
  const paths = res.json<{ paths: Record<string, Record<string, unknown>> }>().paths;
  const expected: [string, string][] = [
    ['/admin/v1/products', 'post'],
    ['/admin/v1/products/{id}', 'patch'],
    ['/admin/v1/products/{id}', 'get'],
    ['/admin/v1/products/{id}', 'delete'],
    ['/admin/v1/products/{id}/price', 'put'],
    ['/admin/v1/products/{id}/stock-adjustments', 'post'],
    ['/admin/v1/products/{id}/publish', 'post'],
    ['/admin/v1/products/{id}/unpublish', 'post'],
    ['/admin/v1/categories', 'post'],
    ['/admin/v1/categories/{id}', 'patch'],
    ['/admin/v1/imports', 'post'],
    ['/admin/v1/imports/{id}', 'get'],
  ];
  for (const [path, method] of expected)
    t.ok(paths[path]?.[method], `${method.toUpperCase()} ${path}`);
  const ui = await h.app.inject({ method: 'GET', url: '/docs/' });
  t.equal(ui.statusCode, 200);
  t.match(ui.body, /swagger/i);
});

t.test('Every success carries X-Aisle-Version; health stays public', async (t) => {
  const h = await writeHarness(t);
  const created = await h.admin({
    method: 'POST',
    url: '/admin/v1/products',
    payload: { sku: 'V-1', name: 'V' },
  });
  t.equal(created.headers['x-aisle-version'], '1');
  const ready = await h.app.inject({ method: 'GET', url: '/health/ready' });
  t.equal(ready.statusCode, 200);
  t.match(ready.json(), { checks: { postgres: { status: 'up' } } });
});

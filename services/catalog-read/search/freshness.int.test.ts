// What the storefront sees of products that change: unpublished and deleted products disappear,
// and minVersion gives read-your-writes on /v1/search. Real pipeline, real OpenSearch.
import t from 'tap';
import { startPipeline, type Pipeline } from '../../../test/support/pipeline.js';
import { startReadSide } from '../../../test/support/read-side.js';
import { waitFor } from '../../../test/support/wait.js';
import type { SearchResult } from '../../../shared/read-models/search/query/response.js';

async function create(p: Pipeline, name: string, status: 'published' | 'draft' = 'published') {
  const res = await p.write.admin({
    method: 'POST',
    url: '/admin/v1/products',
    payload: {
      sku: `F-${Math.random().toString(36).slice(2, 10)}`,
      name,
      description: 'Glows in the dark.',
      brand: 'Ghostly',
      attributes: {},
      images: [],
      price: { amountMinor: 1500, currency: 'EUR' },
      status,
    },
  });
  return res.json<{ id: string; version: number }>();
}

async function command(
  p: Pipeline,
  url: string,
  method: 'POST' | 'PATCH' | 'PUT' | 'DELETE' = 'POST',
  payload?: object,
) {
  const res = await p.write.admin({
    method,
    url,
    ...(payload ? { payload } : {}),
  });
  if (res.statusCode !== 200) throw new Error(`${url}: ${res.body}`);
  return Number(res.headers['x-aisle-version']);
}

const indexed = (p: Pipeline, id: string, version: number) =>
  waitFor(`version ${version} of ${id} in search`, async () =>
    ((await p.search.client.getDocument(p.alias, id))?.version ?? 0) >= version ? true : undefined,
  );

t.test('Unpublished, deleted and draft products never appear', async (t) => {
  const p = await startPipeline(t);
  const rs = await startReadSide(t, p);
  const shown = await create(p, 'Ghost lantern classic');
  const unpublished = await create(p, 'Ghost lantern retired');
  const deleted = await create(p, 'Ghost lantern removed');
  const draft = await create(p, 'Ghost lantern draft', 'draft');
  const v1 = await command(p, `/admin/v1/products/${unpublished.id}/unpublish`);
  const v2 = await command(p, `/admin/v1/products/${deleted.id}`, 'DELETE');
  await indexed(p, shown.id, shown.version);
  await indexed(p, draft.id, draft.version);
  await indexed(p, unpublished.id, v1);
  await indexed(p, deleted.id, v2);
  await p.search.client.refresh(p.alias);

  for (const query of [{ q: 'ghost lantern' }, { brand: 'Ghostly' }, {}, { q: 'retired' }]) {
    const res = await rs.app.inject({ method: 'GET', url: '/v1/search', query });
    const body = res.json<SearchResult>();
    t.strictSame(
      body.items.map((i) => i.id),
      query.q === 'retired' ? [] : [shown.id],
      JSON.stringify(query),
    );
    t.equal(body.total, query.q === 'retired' ? 0 : 1);
    if (query.q !== 'retired') t.strictSame(body.facets.brand, [{ value: 'Ghostly', count: 1 }]);
  }
  const suggest = await rs.app.inject({
    method: 'GET',
    url: '/v1/suggest',
    query: { q: 'ghost lan' },
  });
  t.strictSame(
    suggest.json<{ suggestions: { id: string }[] }>().suggestions.map((s) => s.id),
    [shown.id],
  );
});

t.test('minVersion: a change is found by the search made right after it', async (t) => {
  const p = await startPipeline(t);
  const rs = await startReadSide(t, p);
  const { id, version } = await create(p, 'Zebra lamp');
  await indexed(p, id, version);

  const renamed = await command(p, `/admin/v1/products/${id}`, 'PATCH', {
    name: 'Zebra floor lamp',
  });
  const res = await rs.app.inject({
    method: 'GET',
    url: '/v1/search',
    query: { q: 'floor', minVersion: String(renamed), product: id },
  });
  t.equal(res.statusCode, 200);
  t.strictSame(
    res.json<SearchResult>().items.map((i) => [i.id, i.name]),
    [[id, 'Zebra floor lamp']],
  );

  const repriced = await command(p, `/admin/v1/products/${id}/price`, 'PUT', {
    amountMinor: 999,
    currency: 'EUR',
  });
  const byHeader = await rs.app.inject({
    method: 'GET',
    url: '/v1/search',
    query: { q: 'zebra', product: id },
    headers: { 'x-aisle-min-version': String(repriced) },
  });
  t.equal(byHeader.statusCode, 200);
  t.match(byHeader.json<SearchResult>().items, [{ id, price: { amountMinor: 999 } }]);
});

t.test(
  'minVersion: a version that never comes is a 503 with Retry-After, within the bound',
  async (t) => {
    const p = await startPipeline(t, { READ_YOUR_WRITES_TIMEOUT_MS: '500' });
    const rs = await startReadSide(t, p);
    const { id, version } = await create(p, 'Zebra rug');
    await indexed(p, id, version);
    const started = Date.now();
    const res = await rs.app.inject({
      method: 'GET',
      url: '/v1/search',
      query: { q: 'zebra', minVersion: String(version + 100), product: id },
    });
    const took = Date.now() - started;
    t.equal(res.statusCode, 503);
    t.equal(res.headers['retry-after'], '1');
    t.match(res.headers['content-type'], /^application\/problem\+json/);
    t.match(res.json(), { status: 503, code: 'unavailable', detail: /not searchable yet/ });
    t.ok(took >= 500 && took < 1500, `answered at the bound (${took} ms)`);

    const unknown = await rs.app.inject({
      method: 'GET',
      url: '/v1/search',
      query: { minVersion: '1', product: '00000000-0000-4000-8000-000000000000' },
    });
    t.equal(unknown.statusCode, 503, 'a product search has never seen');
    const bad = await rs.app.inject({
      method: 'GET',
      url: '/v1/search',
      query: { product: id },
      headers: { 'x-aisle-min-version': 'abc' },
    });
    t.equal(bad.statusCode, 400);
  },
);

// Every answer of the routes that read X-Aisle-Min-Version says so in Vary (docs/api.md), against
// the real pipeline: a published product in Redis and in the search index.
import type { LightMyRequestResponse } from 'fastify';
import t from 'tap';
import { sampleProduct } from '../../../test/support/catalog-write.js';
import { startPipeline } from '../../../test/support/pipeline.js';
import { startReadSide } from '../../../test/support/read-side.js';
import { waitFor } from '../../../test/support/wait.js';

const varies = (res: LightMyRequestResponse): string[] =>
  String(res.headers.vary ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '');

t.test(
  'Detail and search answers vary on X-Aisle-Min-Version, whatever their status',
  async (t) => {
    const p = await startPipeline(t);
    // A list of origins makes CORS add `Vary: Origin`; the two must merge, not replace each other.
    const shop = 'https://shop.example.com';
    const read = await startReadSide(t, { ...p, config: { ...p.config, corsOrigins: [shop] } });
    const created = await p.write.admin({
      method: 'POST',
      url: '/admin/v1/products',
      payload: sampleProduct({
        status: 'published',
        name: 'Vary trail shoe',
        price: { amountMinor: 2599, currency: 'EUR' },
      }),
    });
    t.equal(created.statusCode, 201);
    const { id, version } = created.json<{ id: string; version: number }>();
    const detail = `/v1/products/${id}`;
    const ok = await waitFor('the product in both read models', async () => {
      const [d, s] = await Promise.all([
        read.get(detail),
        read.get(`/v1/search?q=vary&minVersion=${version}&product=${id}`),
      ]);
      return d.statusCode === 200 && s.statusCode === 200 ? d : undefined;
    });

    const answers: [string, LightMyRequestResponse][] = [
      ['detail 200', ok],
      [
        'detail 200 with the header',
        await read.get(detail, { 'x-aisle-min-version': `${version}` }),
      ],
      ['detail 304', await read.get(detail, { 'if-none-match': String(ok.headers.etag) })],
      ['detail 404', await read.get('/v1/products/00000000-0000-4000-8000-000000000000')],
      ['detail 400 (bad header)', await read.get(detail, { 'x-aisle-min-version': 'soon' })],
      [
        'detail 503 (version not there)',
        await read.get(detail, { 'x-aisle-min-version': `${version + 5}` }),
      ],
      ['detail HEAD', await read.app.inject({ method: 'HEAD', url: detail })],
      ['search 200', await read.get('/v1/search?q=vary')],
      [
        'search 200 with the header',
        await read.get(`/v1/search?q=vary&product=${id}`, { 'x-aisle-min-version': `${version}` }),
      ],
      [
        'search 400 (bad header)',
        await read.get('/v1/search?q=vary', { 'x-aisle-min-version': 'x' }),
      ],
    ];
    t.same(
      answers.map(([, res]) => res.statusCode),
      [200, 200, 304, 404, 400, 503, 200, 200, 200, 400],
    );
    for (const [name, res] of answers) {
      const names = varies(res);
      t.equal(names.filter((n) => n === 'x-aisle-min-version').length, 1, `${name}: once`);
    }
    const withOrigin = await read.get(detail, { origin: shop });
    t.same(varies(withOrigin), ['origin', 'x-aisle-min-version'], 'merged with CORS, once each');
    const searchWithOrigin = await read.get('/v1/search?q=vary', { origin: shop });
    t.same(varies(searchWithOrigin), ['origin', 'x-aisle-min-version']);

    const categories = await read.get('/v1/categories');
    t.equal(categories.statusCode, 200);
    t.notOk(varies(categories).includes('x-aisle-min-version'), 'a route that ignores it does not');
  },
);

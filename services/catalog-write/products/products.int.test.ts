import { randomUUID } from 'node:crypto';
import t from 'tap';
import {
  sampleProduct,
  writeHarness,
  type WriteHarness,
} from '../../../test/support/catalog-write.js';
import { runProductCommand } from '../../../shared/write-model/products/commands.js';

async function create(h: WriteHarness, body: Record<string, unknown> = sampleProduct()) {
  const res = await h.admin({ method: 'POST', url: '/admin/v1/products', payload: body });
  return { res, id: res.json<{ id: string }>().id };
}

async function productRowCount(h: WriteHarness): Promise<number> {
  const { rows } = await h.pool.query<{ n: string }>('SELECT count(*) AS n FROM products');
  return Number(rows[0]?.n);
}

t.test('When a product is created, then it is stored with exactly one outbox event', async (t) => {
  const h = await writeHarness(t);
  const body = sampleProduct({ price: { amountMinor: 1999, currency: 'EUR' } });
  const { res, id } = await create(h, body);
  t.equal(res.statusCode, 201);
  t.equal(res.headers.location, `/admin/v1/products/${id}`);
  t.equal(res.headers['x-aisle-version'], '1');
  t.same(res.json(), { id, version: 1 });

  const events = await h.outboxEvents(id);
  t.equal(events.length, 1);
  t.equal(events[0]?.event_type, 'ProductCreated');
  t.match(events[0]?.payload, {
    aggregate: 'product',
    productId: id,
    version: 1,
    snapshot: { id, sku: body.sku, status: 'draft', price: { amountMinor: 1999, currency: 'EUR' } },
  });

  const got = await h.admin({ method: 'GET', url: `/admin/v1/products/${id}` });
  t.equal(got.statusCode, 200);
  t.equal(got.headers.etag, '"1"');
  t.match(got.json(), {
    id,
    sku: body.sku,
    name: body.name,
    attributes: { color: 'blue', size: ['42', '43'], weight_g: 280 },
    images: body.images,
    status: 'draft',
    version: 1,
    stock: { available: 0, byWarehouse: {} },
  });
  t.same(got.json(), events[0]?.payload['snapshot'], 'the event carries the stored snapshot');
  const notModified = await h.admin({
    method: 'GET',
    url: `/admin/v1/products/${id}`,
    headers: { 'if-none-match': '"1"' },
  });
  t.equal(notModified.statusCode, 304);
});

t.test('When a SKU is taken, then 409 and nothing is written', async (t) => {
  const h = await writeHarness(t);
  const body = sampleProduct();
  await create(h, body);
  const { res } = await create(h, { ...body, name: 'Another' });
  t.equal(res.statusCode, 409);
  t.equal(res.json().code, 'sku_taken');
  t.equal(await productRowCount(h), 1);
  t.equal((await h.outboxEvents()).length, 1);
});

t.test(
  'When the body is invalid, then 400 with field details and nothing is written',
  async (t) => {
    const h = await writeHarness(t);
    const cases: [Record<string, unknown>, string][] = [
      [{ ...sampleProduct(), colour: 'red' }, 'body.colour'],
      [
        sampleProduct({ price: { amountMinor: '1999', currency: 'EUR' } }),
        'body.price.amountMinor',
      ],
      [sampleProduct({ price: { amountMinor: 10, currency: 'euro' } }), 'body.price.currency'],
      [sampleProduct({ sku: '' }), 'body.sku'],
      [sampleProduct({ name: 'x'.repeat(201) }), 'body.name'],
      [sampleProduct({ attributes: { 'Bad Name': 'x' } }), 'body.attributes'],
      [sampleProduct({ attributes: { color: { nested: true } } }), 'body.attributes.color'],
      [sampleProduct({ status: 'deleted' }), 'body.status'],
      [sampleProduct({ name: 'nul\u0000inside' }), 'body.name'],
      [{ name: 'no sku' }, 'body.sku'],
    ];
    for (const [payload, field] of cases) {
      const res = await h.admin({ method: 'POST', url: '/admin/v1/products', payload });
      t.equal(res.statusCode, 400, field);
      t.match(res.headers['content-type'], /application\/problem\+json/);
      t.ok(
        res.json<{ errors: { field: string }[] }>().errors.some((e) => e.field.startsWith(field)),
        `${field} is named`,
      );
    }
    t.equal(await productRowCount(h), 0);
    t.equal((await h.outboxEvents()).length, 0);
  },
);

t.test('When JSON is malformed or too large, then 400 / 413', async (t) => {
  const h = await writeHarness(t, { BODY_LIMIT_BYTES: '4096' });
  const malformed = await h.admin({
    method: 'POST',
    url: '/admin/v1/products',
    headers: { 'content-type': 'application/json' },
    payload: '{"sku": "A", "name":',
  });
  t.equal(malformed.statusCode, 400);
  t.equal(malformed.json().code, 'malformed_json');
  const large = await h.admin({
    method: 'POST',
    url: '/admin/v1/products',
    payload: sampleProduct({ description: 'x'.repeat(8000) }),
  });
  t.equal(large.statusCode, 413);
  t.equal(await productRowCount(h), 0);
});

t.test('When the token is missing or wrong, then 401 and nothing is written', async (t) => {
  const h = await writeHarness(t);
  for (const headers of [{}, { authorization: 'Bearer wrong-token-but-long-enough' }]) {
    const res = await h.app.inject({
      method: 'POST',
      url: '/admin/v1/products',
      payload: sampleProduct(),
      headers,
    });
    t.equal(res.statusCode, 401);
  }
  t.equal(await productRowCount(h), 0);
});

t.test('Publishing needs a price; transitions follow the lifecycle', async (t) => {
  const h = await writeHarness(t);
  const { id } = await create(h);
  const publish = () => h.admin({ method: 'POST', url: `/admin/v1/products/${id}/publish` });
  const noPrice = await publish();
  t.equal(noPrice.statusCode, 422);
  t.match(noPrice.json(), { code: 'rule_violated', errors: [{ field: 'price' }] });

  const priced = await h.admin({
    method: 'PUT',
    url: `/admin/v1/products/${id}/price`,
    payload: { amountMinor: 2500, currency: 'EUR' },
  });
  t.same(priced.json(), { id, version: 2 });
  t.equal((await publish()).statusCode, 200);
  const again = await publish();
  t.equal(again.statusCode, 409);
  t.equal(again.json().code, 'invalid_transition');

  const unpublish = () => h.admin({ method: 'POST', url: `/admin/v1/products/${id}/unpublish` });
  t.same((await unpublish()).json(), { id, version: 4 });
  t.equal((await unpublish()).statusCode, 409);
  t.equal((await publish()).statusCode, 200, 'an archived product can be published again');

  const events = await h.outboxEvents(id);
  t.same(
    events.map((e) => e.event_type),
    [
      'ProductCreated',
      'ProductPriceChanged',
      'ProductPublished',
      'ProductUnpublished',
      'ProductPublished',
    ],
  );
  t.same(
    events.map((e) => Number(e.aggregate_version)),
    [1, 2, 3, 4, 5],
  );
  t.match(events[1]?.payload, {
    changes: { price: { from: null, to: { amountMinor: 2500, currency: 'EUR' } } },
  });
});

t.test('When created as published without a price, then 422 and nothing is written', async (t) => {
  const h = await writeHarness(t);
  const { res } = await create(h, sampleProduct({ status: 'published' }));
  t.equal(res.statusCode, 422);
  t.equal(await productRowCount(h), 0);
});

t.test('When the category does not exist, then 422', async (t) => {
  const h = await writeHarness(t);
  const { res } = await create(h, sampleProduct({ categoryId: randomUUID() }));
  t.equal(res.statusCode, 422);
  t.match(res.json(), { code: 'unknown_category', errors: [{ field: 'categoryId' }] });
});

t.test(
  'Details change with If-Match; a stale version gets 409 with the current ETag',
  async (t) => {
    const h = await writeHarness(t);
    const { id } = await create(h);
    const patch = (payload: Record<string, unknown>, ifMatch?: string) =>
      h.admin({
        method: 'PATCH',
        url: `/admin/v1/products/${id}`,
        payload,
        headers: ifMatch ? { 'if-match': ifMatch } : {},
      });

    const ok = await patch({ name: 'Trail shoe v2', attributes: { color: 'red' } }, '"1"');
    t.equal(ok.statusCode, 200);
    t.equal(ok.headers['x-aisle-version'], '2');
    const stale = await patch({ name: 'Lost update' }, '"1"');
    t.equal(stale.statusCode, 409);
    t.equal(stale.json().code, 'version_mismatch');
    t.equal(stale.headers.etag, '"2"');
    t.equal((await patch({ brand: 'Other' }, 'W/"2"')).statusCode, 200);
    t.equal((await patch({ brand: 'Other' })).statusCode, 422, 'a patch that changes nothing');
    t.equal((await patch({ brand: 'x' }, 'abc')).statusCode, 400);
    t.equal((await patch({})).statusCode, 400);

    const got = await h.admin({ method: 'GET', url: `/admin/v1/products/${id}` });
    t.match(got.json(), {
      name: 'Trail shoe v2',
      brand: 'Other',
      attributes: { color: 'red' },
      version: 3,
    });
    t.notOk(
      'size' in got.json<{ attributes: object }>().attributes,
      'attributes are replaced as a whole',
    );
    const [, changed] = await h.outboxEvents(id);
    t.same(changed?.payload['changes'], { fields: ['attributes', 'name'] });
  },
);

t.test('Stock adjusts per warehouse and never goes below zero', async (t) => {
  const h = await writeHarness(t);
  const { id } = await create(h);
  const adjust = (warehouse: string, delta: number) =>
    h.admin({
      method: 'POST',
      url: `/admin/v1/products/${id}/stock-adjustments`,
      payload: { warehouse, delta, reason: 'count' },
    });
  t.same((await adjust('north', 10)).json(), { id, version: 2, available: 10 });
  t.same((await adjust('south', 5)).json(), { id, version: 3, available: 15 });
  t.same((await adjust('north', -4)).json(), { id, version: 4, available: 11 });
  const tooMuch = await adjust('south', -6);
  t.equal(tooMuch.statusCode, 409);
  t.equal(tooMuch.json().code, 'insufficient_stock');
  t.equal((await adjust('south', 0)).statusCode, 400);
  const got = await h.admin({ method: 'GET', url: `/admin/v1/products/${id}` });
  t.same(got.json<{ stock: unknown }>().stock, {
    available: 11,
    byWarehouse: { north: 6, south: 5 },
  });
  const events = await h.outboxEvents(id);
  t.match(events.at(-1)?.payload, {
    changes: { stock: { warehouse: 'north', delta: -4, reason: 'count', onHand: 6 } },
  });
});

t.test(
  'When 50 decrements race on one product, then none oversells and none is lost',
  async (t) => {
    const h = await writeHarness(t, { DATABASE_POOL_MAX: '20' });
    const { id } = await create(h);
    await h.admin({
      method: 'POST',
      url: `/admin/v1/products/${id}/stock-adjustments`,
      payload: { warehouse: 'main', delta: 30, reason: 'delivery' },
    });
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        h.admin({
          method: 'POST',
          url: `/admin/v1/products/${id}/stock-adjustments`,
          payload: { warehouse: 'main', delta: -1, reason: 'sale' },
        }),
      ),
    );
    const ok = results.filter((r) => r.statusCode === 200);
    const refused = results.filter((r) => r.statusCode === 409);
    t.equal(ok.length, 30, 'exactly the stock on hand was sold');
    t.equal(refused.length, 20);
    t.ok(refused.every((r) => r.json<{ code: string }>().code === 'insufficient_stock'));
    t.same(
      ok.map((r) => r.json<{ available: number }>().available).sort((a, b) => a - b),
      Array.from({ length: 30 }, (_, i) => i),
      'every successful decrement saw a distinct stock level',
    );
    const { rows } = await h.pool.query<{ on_hand: string }>(
      'SELECT on_hand FROM stock_levels WHERE product_id = $1',
      [id],
    );
    t.equal(Number(rows[0]?.on_hand), 0);
    const events = await h.outboxEvents(id);
    t.equal(events.filter((e) => e.event_type === 'ProductStockAdjusted').length, 31);
    t.same(
      events.map((e) => Number(e.aggregate_version)),
      Array.from({ length: 32 }, (_, i) => i + 1),
    );
  },
);

t.test(
  'When two conflicting commands race with the same If-Match, then exactly one wins',
  async (t) => {
    const h = await writeHarness(t);
    const { id } = await create(h);
    const results = await Promise.all(
      ['First', 'Second'].map((name) =>
        h.admin({
          method: 'PATCH',
          url: `/admin/v1/products/${id}`,
          payload: { name },
          headers: { 'if-match': '"1"' },
        }),
      ),
    );
    t.same(results.map((r) => r.statusCode).sort(), [200, 409]);
    t.equal((await h.outboxEvents(id)).length, 2);
  },
);

t.test('Delete hides the product, frees its SKU and refuses later changes', async (t) => {
  const h = await writeHarness(t);
  const body = sampleProduct();
  const { id } = await create(h, body);
  const deleted = await h.admin({ method: 'DELETE', url: `/admin/v1/products/${id}` });
  t.same(deleted.json(), { id, version: 2 });
  t.equal((await h.admin({ method: 'GET', url: `/admin/v1/products/${id}` })).statusCode, 404);
  t.equal((await h.admin({ method: 'DELETE', url: `/admin/v1/products/${id}` })).statusCode, 404);
  t.equal(
    (await h.admin({ method: 'PATCH', url: `/admin/v1/products/${id}`, payload: { name: 'x' } }))
      .statusCode,
    404,
  );
  t.equal((await create(h, body)).res.statusCode, 201, 'the SKU is free again');
  t.match((await h.outboxEvents(id)).at(-1)?.payload, {
    type: 'ProductDeleted',
    snapshot: { status: 'deleted' },
  });
});

t.test('Unknown and malformed ids', async (t) => {
  const h = await writeHarness(t);
  t.equal(
    (await h.admin({ method: 'GET', url: `/admin/v1/products/${randomUUID()}` })).statusCode,
    404,
  );
  const bad = await h.admin({ method: 'GET', url: "/admin/v1/products/1'%20OR%20'1'='1" });
  t.equal(bad.statusCode, 400);
  t.match(bad.json(), { errors: [{ field: 'params.id' }] });
});

t.test(
  'When a command fails inside its transaction, then neither rows nor events remain',
  async (t) => {
    const h = await writeHarness(t);
    const id = randomUUID();
    await t.rejects(
      runProductCommand(
        h.pool,
        id,
        { type: 'CreateProduct', id, fields: sampleProduct() },
        {
          correlationId: null,
          beforeCommit: () => Promise.reject(new Error('crash before commit')),
        },
      ),
      /crash before commit/,
    );
    t.equal(await productRowCount(h), 0);
    t.equal((await h.outboxEvents()).length, 0);
  },
);

t.test('Injection strings in every field are stored verbatim and harmless', async (t) => {
  const h = await writeHarness(t);
  const hostile = {
    sku: 'INJ-1',
    name: "Robert'); DROP TABLE products;--",
    description:
      '{"query":{"match_all":{}}} \' OR 1=1 -- ${jndi:ldap://x} <script>alert(1)</script>',
    brand: "' UNION SELECT password FROM users --",
    attributes: {
      material: "'); DELETE FROM outbox; --",
      tags: ['$where', '{"$gt":""}'],
      ratio: -0.5,
    },
    images: ["https://cdn.example.com/a.jpg?q=';--"],
  };
  const { res, id } = await create(h, hostile);
  t.equal(res.statusCode, 201);
  const got = await h.admin({ method: 'GET', url: `/admin/v1/products/${id}` });
  t.match(got.json(), hostile);
  t.equal(await productRowCount(h), 1);
  t.equal((await h.outboxEvents()).length, 1);

  const quotedSku = await create(h, { ...hostile, sku: "X'; DROP TABLE products;--" });
  t.equal(quotedSku.res.statusCode, 400, 'a SKU outside its pattern is refused');
  t.equal(await productRowCount(h), 1);
});

t.test(
  'When a product create carries If-Match or an odd id, then 412 / 400 and nothing is stored',
  async (t) => {
    const h = await writeHarness(t);
    const conditional = await h.admin({
      method: 'POST',
      url: '/admin/v1/products',
      payload: sampleProduct(),
      headers: { 'if-match': '"1"' },
    });
    t.equal(conditional.statusCode, 412);
    t.match(conditional.json(), { code: 'precondition_failed' });
    const id = randomUUID();
    for (const spelling of [id.toUpperCase(), `urn:uuid:${id}`, `{${id}}`]) {
      const created = await h.admin({
        method: 'POST',
        url: '/admin/v1/products',
        payload: { ...sampleProduct(), id: spelling },
      });
      t.equal(created.statusCode, 400, spelling);
      const path = await h.admin({
        method: 'GET',
        url: `/admin/v1/products/${encodeURIComponent(spelling)}`,
      });
      t.equal(path.statusCode, 400, spelling);
    }
    t.equal((await h.outboxEvents()).length, 0);
  },
);

t.test(
  'When stock goes to a warehouse named constructor, then it is an ordinary warehouse',
  async (t) => {
    const h = await writeHarness(t);
    const created = await h.admin({
      method: 'POST',
      url: '/admin/v1/products',
      payload: sampleProduct(),
    });
    const { id } = created.json<{ id: string }>();
    const adjust = (warehouse: string, delta: number) =>
      h.admin({
        method: 'POST',
        url: `/admin/v1/products/${id}/stock-adjustments`,
        payload: { warehouse, delta, reason: 'test' },
      });
    t.equal((await adjust('constructor', -1)).statusCode, 409);
    const added = await adjust('constructor', 4);
    t.equal(added.statusCode, 200);
    t.match(added.json(), { available: 4 });
    t.equal((await adjust('toString', -1)).statusCode, 409);
  },
);

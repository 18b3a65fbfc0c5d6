import { randomUUID } from 'node:crypto';
import t from 'tap';
import type { LightMyRequestResponse } from 'fastify';
import {
  sampleProduct,
  writeHarness,
  type WriteHarness,
} from '../../../test/support/catalog-write.js';

const eur = (amountMinor: number) => ({ amountMinor, currency: 'EUR' });
const unique = () => Math.random().toString(36).slice(2, 10).toUpperCase();

/** A t-shirt in black-M, black-L and grey-XL; black-M has stock in north. */
function teeBody(sku = `TEE-${unique()}`) {
  return {
    sku,
    name: 'Organic tee',
    brand: 'Stride',
    attributes: { material: 'cotton' },
    options: ['color', 'size'],
    variants: [
      {
        sku: `${sku}-BM`,
        options: { color: 'black', size: 'M' },
        price: eur(1500),
        stock: { north: 4 },
      },
      { sku: `${sku}-BL`, options: { size: 'L', color: 'black' }, price: eur(1500) },
      { sku: `${sku}-GXL`, options: { color: 'grey', size: 'XL' } },
    ],
  };
}

interface Variant {
  id: string;
  sku: string;
  options: Record<string, string>;
  price: { amountMinor: number; currency: string } | null;
  stock: { available: number; byWarehouse: Record<string, number> };
}
interface Product {
  id: string;
  version: number;
  price: unknown;
  stock: { available: number; byWarehouse: Record<string, number> };
  options: string[];
  variants: Variant[];
}

async function create(h: WriteHarness, body: Record<string, unknown>) {
  const res = await h.admin({ method: 'POST', url: '/admin/v1/products', payload: body });
  return { res, id: res.json<{ id: string }>().id };
}

async function get(h: WriteHarness, id: string): Promise<Product> {
  return (await h.admin({ method: 'GET', url: `/admin/v1/products/${id}` })).json<Product>();
}

const variantUrl = (id: string, variantId?: string, tail = '') =>
  `/admin/v1/products/${id}/variants${variantId === undefined ? '' : `/${variantId}`}${tail}`;

async function count(h: WriteHarness, sql: string, params: unknown[]): Promise<number> {
  const { rows } = await h.pool.query<{ n: string }>(sql, params);
  return Number(rows[0]?.n);
}

const codeOf = (res: LightMyRequestResponse) => res.json<{ code: string }>().code;

t.test(
  'When a product is created with options and variants, then GET and the event carry them',
  async (t) => {
    const h = await writeHarness(t);
    const body = teeBody();
    const { res, id } = await create(h, body);
    t.equal(res.statusCode, 201);
    t.same(res.json(), { id, version: 1 });
    const got = await h.admin({ method: 'GET', url: `/admin/v1/products/${id}` });
    t.equal(got.statusCode, 200);
    const product = got.json<Product>();
    t.same(product.options, ['color', 'size']);
    t.same(
      product.variants.map((v) => [v.sku, v.options, v.price, v.stock]),
      [
        [
          `${body.sku}-BM`,
          { color: 'black', size: 'M' },
          eur(1500),
          { available: 4, byWarehouse: { north: 4 } },
        ],
        [
          `${body.sku}-BL`,
          { color: 'black', size: 'L' },
          eur(1500),
          { available: 0, byWarehouse: {} },
        ],
        [`${body.sku}-GXL`, { color: 'grey', size: 'XL' }, null, { available: 0, byWarehouse: {} }],
      ],
      'variants in order, option values in the order of the options',
    );
    t.ok(
      product.variants.every((v) => /^[0-9a-f-]{36}$/.test(v.id)),
      'variant ids are generated',
    );
    t.equal(product.price, null);
    const [event] = await h.outboxEvents(id);
    t.equal(event?.event_type, 'ProductCreated');
    t.same(got.json(), event?.payload['snapshot'], 'the event carries the stored snapshot');

    const plain = await create(h, sampleProduct());
    const single = await get(h, plain.id);
    t.same([single.options, single.variants], [[], []], 'a single-SKU product has empty lists');
  },
);

t.test('Every variant route is one version and one event with the full snapshot', async (t) => {
  const h = await writeHarness(t);
  const { id } = await create(h, teeBody());
  const variantId = randomUUID();
  const added = await h.admin({
    method: 'POST',
    url: variantUrl(id),
    payload: { id: variantId, sku: `G-L-${unique()}`, options: { color: 'grey', size: 'L' } },
  });
  t.equal(added.statusCode, 201);
  t.same(added.json(), { id, version: 2, variantId });
  t.equal(added.headers['x-aisle-version'], '2');

  const patched = await h.admin({
    method: 'PATCH',
    url: variantUrl(id, variantId),
    payload: { images: ['https://cdn.example.com/grey-l.jpg'], attributes: { fit: 'slim' } },
  });
  t.same(patched.json(), { id, version: 3, variantId });
  const priced = await h.admin({
    method: 'PUT',
    url: variantUrl(id, variantId, '/price'),
    payload: eur(1600),
  });
  t.same(priced.json(), { id, version: 4, variantId });
  const stocked = await h.admin({
    method: 'POST',
    url: variantUrl(id, variantId, '/stock-adjustments'),
    payload: { warehouse: 'south', delta: 7, reason: 'delivery' },
  });
  t.same(stocked.json(), { id, version: 5, variantId, available: 7 });
  t.equal(stocked.headers['x-aisle-version'], '5');

  const product = await get(h, id);
  t.match(
    product.variants.find((v) => v.id === variantId),
    {
      options: { color: 'grey', size: 'L' },
      price: eur(1600),
      stock: { available: 7, byWarehouse: { south: 7 } },
    },
  );
  const removed = await h.admin({ method: 'DELETE', url: variantUrl(id, variantId) });
  t.same(removed.json(), { id, version: 6 });
  t.notOk((await get(h, id)).variants.some((v) => v.id === variantId));

  const events = await h.outboxEvents(id);
  t.same(
    events.map((e) => [e.event_type, Number(e.aggregate_version)]),
    [
      ['ProductCreated', 1],
      ['VariantAdded', 2],
      ['VariantChanged', 3],
      ['VariantPriceChanged', 4],
      ['VariantStockAdjusted', 5],
      ['VariantRemoved', 6],
    ],
  );
  t.same(
    events.slice(1).map((e) => (e.payload['changes'] as { variantId?: string }).variantId),
    [variantId, variantId, variantId, variantId, variantId],
  );
  t.match(events[4]?.payload['changes'], {
    fields: ['variants.stock'],
    stock: { warehouse: 'south', delta: 7, reason: 'delivery', onHand: 7 },
  });
  t.same(
    events.at(-1)?.payload['snapshot'],
    await get(h, id),
    'the last event is the stored state',
  );
  t.equal(
    await count(h, 'SELECT count(*) AS n FROM product_variants WHERE id = $1', [variantId]),
    0,
  );
  t.equal(
    await count(h, 'SELECT count(*) AS n FROM variant_stock_levels WHERE variant_id = $1', [
      variantId,
    ]),
    0,
  );
  t.equal(
    await count(h, 'SELECT count(*) AS n FROM sku_registry WHERE variant_id = $1', [variantId]),
    0,
    'a removed variant frees its SKU',
  );
});

t.test('SKUs are unique across products and variants (409 sku_taken)', async (t) => {
  const h = await writeHarness(t);
  const tee = teeBody();
  const { id } = await create(h, tee);
  const other = await create(h, sampleProduct({ sku: `MUG-${unique()}` }));
  const otherSku = (await get(h, other.id)) as unknown as { sku: string };

  const productTakesVariantSku = await create(h, sampleProduct({ sku: `${tee.sku}-BM` }));
  t.equal(productTakesVariantSku.res.statusCode, 409, "a product with a variant's SKU");
  t.match(productTakesVariantSku.res.json(), { code: 'sku_taken', errors: [{ field: 'sku' }] });

  const variantTakesProductSku = await h.admin({
    method: 'POST',
    url: variantUrl(id),
    payload: { sku: otherSku.sku, options: { color: 'grey', size: 'S' } },
  });
  t.equal(variantTakesProductSku.statusCode, 409, "a variant with another product's SKU");
  t.equal(codeOf(variantTakesProductSku), 'sku_taken');

  const createTakesVariantSku = await create(h, {
    ...teeBody(),
    variants: [
      { sku: `NEW-${unique()}`, options: { color: 'red', size: 'M' } },
      { sku: `${tee.sku}-GXL`, options: { color: 'red', size: 'L' } },
    ],
  });
  t.equal(
    createTakesVariantSku.res.statusCode,
    409,
    "a new product's variant with a variant's SKU",
  );
  t.match(createTakesVariantSku.res.json(), {
    code: 'sku_taken',
    errors: [{ field: 'variants.1.sku' }],
  });

  const { variants } = await get(h, id);
  const renamed = await h.admin({
    method: 'PATCH',
    url: variantUrl(id, variants[0]?.id),
    payload: { sku: otherSku.sku },
  });
  t.equal(renamed.statusCode, 409, "a variant renamed to another product's SKU");
  const inProduct = await h.admin({
    method: 'PATCH',
    url: variantUrl(id, variants[0]?.id),
    payload: { sku: `${tee.sku}-BL` },
  });
  t.equal(codeOf(inProduct), 'sku_taken', "a variant renamed to a sibling's SKU");
  t.equal((await h.outboxEvents(id)).length, 1, 'nothing was written for the product');

  const freed = await h.admin({
    method: 'PATCH',
    url: variantUrl(id, variants[0]?.id),
    payload: { sku: `${tee.sku}-BM2` },
  });
  t.equal(freed.statusCode, 200);
  t.equal(
    (await create(h, sampleProduct({ sku: `${tee.sku}-BM` }))).res.statusCode,
    201,
    'a renamed variant frees its old SKU',
  );
  t.equal((await h.admin({ method: 'DELETE', url: `/admin/v1/products/${id}` })).statusCode, 200);
  t.equal(
    (await create(h, sampleProduct({ sku: `${tee.sku}-BL` }))).res.statusCode,
    201,
    "a deleted product frees its variants' SKUs",
  );
});

t.test('Option combinations are unique and option values match the options', async (t) => {
  const h = await writeHarness(t);
  const tee = teeBody();
  const { id } = await create(h, tee);
  const add = (options: Record<string, string>) =>
    h.admin({ method: 'POST', url: variantUrl(id), payload: { sku: `X-${unique()}`, options } });
  const same = await add({ size: 'M', color: 'black' });
  t.equal(same.statusCode, 409);
  t.match(same.json(), { code: 'option_combination_taken', errors: [{ field: 'options' }] });
  const missing = await add({ color: 'black' });
  t.equal(missing.statusCode, 422);
  t.match(missing.json(), { code: 'rule_violated', errors: [{ field: 'options.size' }] });
  const extra = await add({ color: 'black', size: 'S', fit: 'slim' });
  t.equal(extra.statusCode, 422);
  const { variants } = await get(h, id);
  const moved = await h.admin({
    method: 'PATCH',
    url: variantUrl(id, variants[2]?.id),
    payload: { options: { color: 'black', size: 'L' } },
  });
  t.equal(codeOf(moved), 'option_combination_taken');
  const duplicateInBody = await create(h, {
    ...teeBody(),
    variants: [
      { sku: `A-${unique()}`, options: { color: 'red', size: 'M' } },
      { sku: `B-${unique()}`, options: { color: 'red', size: 'M' } },
    ],
  });
  t.equal(duplicateInBody.res.statusCode, 409);
  const fourOptions = await create(h, {
    ...teeBody(),
    options: ['a', 'b', 'c', 'd'],
    variants: [],
  });
  t.equal(fourOptions.res.statusCode, 400, 'at most 3 options (schema)');
  const mismatched = await create(h, {
    ...teeBody(),
    variants: [{ sku: `C-${unique()}`, options: { colour: 'red', size: 'M' } }],
  });
  t.equal(mismatched.res.statusCode, 422);
  t.equal((await h.outboxEvents(id)).length, 1);
  t.equal(await count(h, 'SELECT count(*) AS n FROM products', []), 1);
});

t.test(
  'When 40 decrements race on one variant, then none oversells and none is lost',
  async (t) => {
    const h = await writeHarness(t, { DATABASE_POOL_MAX: '20' });
    const { id } = await create(h, teeBody());
    const variant = (await get(h, id)).variants[1];
    const url = variantUrl(id, variant?.id, '/stock-adjustments');
    await h.admin({
      method: 'POST',
      url,
      payload: { warehouse: 'main', delta: 25, reason: 'delivery' },
    });
    const results = await Promise.all(
      Array.from({ length: 40 }, () =>
        h.admin({ method: 'POST', url, payload: { warehouse: 'main', delta: -1, reason: 'sale' } }),
      ),
    );
    const ok = results.filter((r) => r.statusCode === 200);
    const refused = results.filter((r) => r.statusCode === 409);
    t.equal(ok.length, 25, 'exactly the stock on hand was sold');
    t.equal(refused.length, 15);
    t.ok(refused.every((r) => codeOf(r) === 'insufficient_stock'));
    t.same(
      ok.map((r) => r.json<{ available: number }>().available).sort((a, b) => a - b),
      Array.from({ length: 25 }, (_, i) => i),
      'every successful decrement saw a distinct stock level',
    );
    const { rows } = await h.pool.query<{ on_hand: string }>(
      'SELECT on_hand FROM variant_stock_levels WHERE variant_id = $1',
      [variant?.id],
    );
    t.same(
      rows.map((r) => Number(r.on_hand)),
      [0],
    );
    const after = await get(h, id);
    t.same(
      after.variants[0]?.stock,
      { available: 4, byWarehouse: { north: 4 } },
      'siblings untouched',
    );
    const events = await h.outboxEvents(id);
    t.equal(events.filter((e) => e.event_type === 'VariantStockAdjusted').length, 26);
    t.same(
      events.map((e) => Number(e.aggregate_version)),
      Array.from({ length: 27 }, (_, i) => i + 1),
    );
  },
);

t.test(
  'A product moves from no variants to variants and back, keeping its price and stock',
  async (t) => {
    const h = await writeHarness(t);
    const { id } = await create(h, sampleProduct({ price: eur(900), attributes: {} }));
    const adjust = (url: string, delta: number) =>
      h.admin({ method: 'POST', url, payload: { warehouse: 'north', delta, reason: 'count' } });
    await adjust(`/admin/v1/products/${id}/stock-adjustments`, 6);
    const noOptions = await h.admin({
      method: 'POST',
      url: variantUrl(id),
      payload: { sku: `W-${unique()}`, options: { color: 'white' } },
    });
    t.equal(noOptions.statusCode, 422, 'options are declared first');
    const declared = await h.admin({
      method: 'PATCH',
      url: `/admin/v1/products/${id}`,
      payload: { options: ['color'] },
    });
    t.equal(declared.statusCode, 200);

    const white = await h.admin({
      method: 'POST',
      url: variantUrl(id),
      payload: { sku: `W-${unique()}`, options: { color: 'white' } },
    });
    t.equal(white.statusCode, 201);
    const whiteId = white.json<{ variantId: string }>().variantId;
    let product = await get(h, id);
    t.equal(product.price, null, 'the product price moved to the first variant');
    t.same(product.stock, { available: 0, byWarehouse: {} });
    t.match(product.variants[0], {
      price: eur(900),
      stock: { available: 6, byWarehouse: { north: 6 } },
    });
    t.equal(
      await count(h, 'SELECT count(*) AS n FROM product_prices WHERE product_id = $1', [id]),
      0,
    );
    t.equal(
      await count(h, 'SELECT count(*) AS n FROM stock_levels WHERE product_id = $1', [id]),
      0,
    );

    const price = await h.admin({
      method: 'PUT',
      url: `/admin/v1/products/${id}/price`,
      payload: eur(1),
    });
    t.equal(price.statusCode, 422, 'no product-level price beside variants');
    const stock = await adjust(`/admin/v1/products/${id}/stock-adjustments`, 1);
    t.equal(stock.statusCode, 422, 'no product-level stock beside variants');

    const black = await h.admin({
      method: 'POST',
      url: variantUrl(id),
      payload: { sku: `B-${unique()}`, options: { color: 'black' } },
    });
    const blackId = black.json<{ variantId: string }>().variantId;
    t.equal(
      (await h.admin({ method: 'POST', url: `/admin/v1/products/${id}/publish` })).statusCode,
      200,
    );
    const lastPriced = await h.admin({ method: 'DELETE', url: variantUrl(id, whiteId) });
    t.equal(lastPriced.statusCode, 422, 'a published product keeps a priced variant');
    await h.admin({ method: 'PUT', url: variantUrl(id, blackId, '/price'), payload: eur(950) });
    await adjust(variantUrl(id, blackId, '/stock-adjustments'), 2);
    t.equal((await h.admin({ method: 'DELETE', url: variantUrl(id, whiteId) })).statusCode, 200);
    const back = await h.admin({ method: 'DELETE', url: variantUrl(id, blackId) });
    t.equal(back.statusCode, 200);
    product = await get(h, id);
    t.same(product.variants, []);
    t.same(product.price, eur(950), "the last variant's price is the product's again");
    t.same(product.stock, { available: 2, byWarehouse: { north: 2 } });
    t.match(product, { status: 'published' });
    const sold = await adjust(`/admin/v1/products/${id}/stock-adjustments`, -2);
    t.same(sold.json(), { id, version: product.version + 1, available: 0 }, 'a single SKU again');
    const events = await h.outboxEvents(id);
    t.same(events.at(-2)?.payload['snapshot'], product, 'each event carries the stored state');
  },
);

t.test('If-Match, Idempotency-Key and ids on the variant routes', async (t) => {
  const h = await writeHarness(t);
  const { id } = await create(h, teeBody());
  const [first] = (await get(h, id)).variants;
  const stale = await h.admin({
    method: 'PUT',
    url: variantUrl(id, first?.id, '/price'),
    payload: eur(1400),
    headers: { 'if-match': '"7"' },
  });
  t.equal(stale.statusCode, 409);
  t.equal(codeOf(stale), 'version_mismatch');
  t.equal(stale.headers.etag, '"1"');
  const current = await h.admin({
    method: 'PUT',
    url: variantUrl(id, first?.id, '/price'),
    payload: eur(1400),
    headers: { 'if-match': '"1"' },
  });
  t.equal(current.statusCode, 200);
  t.equal(current.headers['x-aisle-version'], '2');

  const add = (key: string, sku: string) =>
    h.admin({
      method: 'POST',
      url: variantUrl(id),
      payload: { sku, options: { color: 'red', size: 'M' } },
      headers: { 'idempotency-key': key },
    });
  const sku = `R-${unique()}`;
  const once = await add('add-red-m', sku);
  const again = await add('add-red-m', sku);
  t.equal(once.statusCode, 201);
  t.equal(again.statusCode, 201);
  t.same(again.json(), once.json(), 'the retry gets the first answer, variantId included');
  t.equal(again.headers['idempotent-replayed'], 'true');
  t.equal((await get(h, id)).variants.length, 4, 'added once');
  const otherBody = await add('add-red-m', `R-${unique()}`);
  t.equal(otherBody.statusCode, 422);
  t.equal(codeOf(otherBody), 'idempotency_key_reused');
  const stock = (key: string) =>
    h.admin({
      method: 'POST',
      url: variantUrl(id, first?.id, '/stock-adjustments'),
      payload: { warehouse: 'north', delta: -1, reason: 'sale' },
      headers: { 'idempotency-key': key },
    });
  t.same((await stock('sale-1')).json(), (await stock('sale-1')).json());
  t.equal((await get(h, id)).variants[0]?.stock.available, 3, 'the sale counted once');
  t.equal((await h.outboxEvents(id)).length, 4);

  const unknown = await h.admin({ method: 'DELETE', url: variantUrl(id, randomUUID()) });
  t.equal(unknown.statusCode, 404);
  const elsewhere = await h.admin({ method: 'DELETE', url: variantUrl(randomUUID(), first?.id) });
  t.equal(elsewhere.statusCode, 404);
  for (const spelling of [first?.id.toUpperCase(), `{${first?.id}}`, 'nope']) {
    const bad = await h.admin({ method: 'DELETE', url: variantUrl(id, spelling) });
    t.equal(bad.statusCode, 400, String(spelling));
  }
  const takenId = await h.admin({
    method: 'POST',
    url: variantUrl(id),
    payload: { id: first?.id, sku: `Y-${unique()}`, options: { color: 'blue', size: 'M' } },
  });
  t.equal(takenId.statusCode, 409, 'a variant id in use');
  const otherProduct = await create(h, { ...teeBody(), variants: [] });
  const takenElsewhere = await h.admin({
    method: 'POST',
    url: variantUrl(otherProduct.id),
    payload: { id: first?.id, sku: `Z-${unique()}`, options: { color: 'blue', size: 'M' } },
  });
  t.equal(takenElsewhere.statusCode, 409, "another product's variant id");
  t.equal(codeOf(takenElsewhere), 'conflict');
});

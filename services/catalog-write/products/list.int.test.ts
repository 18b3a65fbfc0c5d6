import t from 'tap';
import {
  sampleProduct,
  writeHarness,
  type WriteHarness,
} from '../../../test/support/catalog-write.js';

interface Item {
  id: string;
  sku: string;
  name: string;
  brand: string | null;
  status: string;
  version: number;
  price: { amountMinor: number; currency: string } | null;
  available: number;
  variantCount: number;
  updatedAt: string;
}
interface Page {
  items: Item[];
  nextCursor: string | null;
}

async function create(h: WriteHarness, overrides: Record<string, unknown> = {}): Promise<string> {
  const res = await h.admin({
    method: 'POST',
    url: '/admin/v1/products',
    payload: sampleProduct(overrides),
  });
  if (res.statusCode !== 201) throw new Error(`create failed: ${res.body}`);
  return res.json<{ id: string }>().id;
}

async function list(h: WriteHarness, query: Record<string, string | number> = {}): Promise<Page> {
  const res = await h.admin({ method: 'GET', url: '/admin/v1/products', query: strings(query) });
  if (res.statusCode !== 200) throw new Error(`list failed: ${res.statusCode} ${res.body}`);
  return res.json<Page>();
}

const strings = (query: Record<string, string | number>) =>
  Object.fromEntries(Object.entries(query).map(([k, v]) => [k, String(v)]));

/** Every page from the first, following nextCursor. */
async function walk(
  h: WriteHarness,
  query: Record<string, string | number>,
  between: () => Promise<void> = async () => undefined,
): Promise<{ items: Item[]; pages: number }> {
  const items: Item[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page: Page = await list(h, { ...query, ...(cursor === null ? {} : { cursor }) });
    items.push(...page.items);
    cursor = page.nextCursor;
    pages++;
    if (pages > 1000) throw new Error('the walk does not end');
    await between();
  } while (cursor !== null);
  return { items, pages };
}

const rename = (h: WriteHarness, id: string, name: string) =>
  h.admin({ method: 'PATCH', url: `/admin/v1/products/${id}`, payload: { name } });

/** (updatedAt, id) strictly descending, as the listing promises. */
function strictlyDescending(items: readonly Item[]): boolean {
  return items.every((item, i) => {
    const prev = items[i - 1];
    if (prev === undefined) return true;
    return (
      prev.updatedAt > item.updatedAt || (prev.updatedAt === item.updatedAt && prev.id > item.id)
    );
  });
}

t.test(
  'When pages are walked while products change, then every unchanged product comes exactly once, in order',
  async (t) => {
    const h = await writeHarness(t);
    const ids: string[] = [];
    for (let i = 0; i < 24; i++) ids.push(await create(h, { name: `Walk ${i}` }));
    // Spread over the list: some are reached before they change, some after.
    const volatile = ids.filter((_, i) => i % 4 === 0);
    const stable = ids.filter((_, i) => i % 4 !== 0);
    // A margin before the walk: another writer's clock may lag this one.
    const walkStarted = new Date(Date.now() - 1000).toISOString();

    // Between pages, one product changes (it moves to the front, ahead of the cursor) and a new
    // one is created (also at the front): what an offset would shift, a keyset does not.
    const created: string[] = [];
    let changes = 0;
    const walked = await walk(h, { size: 3 }, async () => {
      const id = volatile[changes++];
      if (id === undefined) return;
      t.equal((await rename(h, id, `Walk changed ${changes}`)).statusCode, 200);
      created.push(await create(h, { name: `Walk new ${changes}` }));
    });

    const seen = walked.items.map((i) => i.id);
    t.equal(new Set(seen).size, seen.length, 'no product twice');
    t.ok(strictlyDescending(walked.items), 'newest change first, id breaking ties');
    for (const id of stable) t.equal(seen.filter((s) => s === id).length, 1, `stable ${id}`);
    t.equal(changes > volatile.length, true, 'every volatile product changed during the walk');
    t.ok(walked.pages >= 6, `small pages (${walked.pages})`);

    // What changed or appeared during the walk is found by updatedAfter=<walk start>.
    const since = await walk(h, { updatedAfter: walkStarted, size: 200 });
    const caughtUp = new Set(since.items.map((i) => i.id));
    for (const id of [...volatile, ...created]) t.ok(caughtUp.has(id), `caught up ${id}`);
  },
);

t.test(
  'An item carries the admin list fields, price and stock summed over warehouses',
  async (t) => {
    const h = await writeHarness(t);
    const id = await create(h, {
      sku: 'LIST-ITEM-1',
      brand: 'Stride',
      price: { amountMinor: 1999, currency: 'EUR' },
      stock: { berlin: 3, paris: 4 },
    });
    const bare = await create(h, { sku: 'LIST-ITEM-2', brand: null });
    const page = await list(h);
    t.equal(page.nextCursor, null, 'one page only');
    const item = page.items.find((i) => i.id === id);
    const got = await h.admin({ method: 'GET', url: `/admin/v1/products/${id}` });
    const stored = got.json<{ name: string; updatedAt: string }>();
    t.same(item, {
      id,
      sku: 'LIST-ITEM-1',
      name: stored.name,
      brand: 'Stride',
      status: 'draft',
      version: 1,
      price: { amountMinor: 1999, currency: 'EUR' },
      available: 7,
      variantCount: 0,
      updatedAt: stored.updatedAt,
    });
    t.match(
      page.items.find((i) => i.id === bare),
      { price: null, available: 0, brand: null },
    );
    t.same(
      page.items.map((i) => i.id),
      [bare, id],
      'newest first',
    );
  },
);

t.test('Each filter narrows the listing', async (t) => {
  const h = await writeHarness(t);
  const category = await h.admin({
    method: 'POST',
    url: '/admin/v1/categories',
    payload: { slug: 'boots', name: 'Boots' },
  });
  const categoryId = category.json<{ id: string }>().id;
  const trail = await create(h, { sku: 'TRL-100', name: 'Trail Runner', brand: 'Stride' });
  const boot = await create(h, { sku: 'BT-200', name: 'Winter Boot', brand: 'Alpina', categoryId });
  const sale = await create(h, { sku: 'SALE-300', name: '50% off sandal', brand: 'Stride' });
  const gone = await create(h, { sku: 'GONE-400', name: 'Retired runner', brand: 'Stride' });
  t.equal((await h.admin({ method: 'DELETE', url: `/admin/v1/products/${gone}` })).statusCode, 200);
  const published = await create(h, {
    sku: 'PUB-500',
    name: 'Road Runner',
    brand: 'Alpina',
    price: { amountMinor: 5000, currency: 'EUR' },
    status: 'published',
  });
  // Everything so far happened a minute ago, so the next change is the only one after now.
  await h.pool.query("UPDATE products SET updated_at = updated_at - interval '1 minute'");
  const checkpoint = new Date(Date.now() - 1000).toISOString();
  const touched = await rename(h, trail, 'Trail Runner 2');
  t.equal(touched.statusCode, 200);

  const ids = async (query: Record<string, string>) =>
    (await list(h, query)).items.map((i) => i.id).sort();
  const sorted = (...list: string[]) => [...list].sort();

  t.same(await ids({}), sorted(trail, boot, sale, published), 'deleted products are left out');
  t.same(await ids({ q: 'RUNNER' }), sorted(trail, published), 'name contains, any case');
  t.same(await ids({ q: 'bt-2' }), [boot], 'SKU contains, any case');
  t.same(await ids({ q: '50%' }), [sale], '% is a literal character');
  t.same(await ids({ q: '5_%' }), [], '_ is a literal character');
  t.same(await ids({ status: 'published' }), [published]);
  t.same(await ids({ status: 'deleted' }), [gone], 'deleted ones on request');
  t.same(await ids({ status: 'draft', brand: 'Stride' }), sorted(trail, sale));
  t.same(await ids({ brand: 'Alpina' }), sorted(boot, published));
  t.same(await ids({ brand: 'alpina' }), [], 'brand is exact');
  t.same(await ids({ categoryId }), [boot]);
  t.same(await ids({ sku: 'BT-200' }), [boot]);
  t.same(await ids({ sku: 'BT-20' }), [], 'sku is exact, not contains');
  t.same(await ids({ sku: 'GONE-400' }), [], 'a deleted product’s SKU needs status=deleted');
  t.same(await ids({ sku: 'GONE-400', status: 'deleted' }), [gone]);
  t.same(await ids({ updatedAfter: checkpoint }), [trail]);
  t.same(await ids({ q: 'runner', brand: 'Alpina', status: 'published' }), [published]);
});

t.test('A product with variants: its count, lowest price, total stock, and its SKUs', async (t) => {
  const h = await writeHarness(t);
  const single = await create(h, { sku: 'ONE-1', price: { amountMinor: 500, currency: 'EUR' } });
  const tee = await create(h, {
    sku: 'TEE-1',
    attributes: {},
    options: ['size'],
    variants: [
      { sku: 'TEE-1-M', options: { size: 'M' }, price: { amountMinor: 1700, currency: 'EUR' } },
      {
        sku: 'TEE-1-L',
        options: { size: 'L' },
        price: { amountMinor: 1500, currency: 'EUR' },
        stock: { north: 3, south: 1 },
      },
      { sku: 'TEE-1-XL', options: { size: 'XL' }, stock: { north: 2 } },
    ],
  });
  const { items } = await list(h);
  t.match(
    items.find((i) => i.id === tee),
    {
      sku: 'TEE-1',
      variantCount: 3,
      price: { amountMinor: 1500, currency: 'EUR' },
      available: 6,
    },
  );
  t.match(
    items.find((i) => i.id === single),
    {
      variantCount: 0,
      price: { amountMinor: 500, currency: 'EUR' },
    },
  );
  const ids = async (query: Record<string, string>) =>
    (await list(h, query)).items.map((i) => i.id);
  t.same(await ids({ sku: 'TEE-1-L' }), [tee], "a variant's SKU finds its product");
  t.same(await ids({ sku: 'TEE-1' }), [tee], "and so does the product's own");
  t.same(await ids({ sku: 'TEE-1-S' }), []);
  const removed = await h.admin({ method: 'DELETE', url: `/admin/v1/products/${tee}` });
  t.equal(removed.statusCode, 200);
  t.same(await ids({ sku: 'TEE-1-L' }), [], 'a deleted product is not live');
  t.same(await ids({ sku: 'TEE-1-L', status: 'deleted' }), [tee], 'but is found among deleted');
  const reused = await create(h, { sku: 'TEE-1-L' });
  t.same(await ids({ sku: 'TEE-1-L' }), [reused], 'the freed SKU names its new owner');
});

t.test('Page size: 50 by default, at most 200', async (t) => {
  const h = await writeHarness(t);
  const { rows } = await h.pool.query<{ n: string }>(
    `WITH made AS (
       INSERT INTO products (id, sku, name, description, images, status, version, created_at, updated_at)
       SELECT gen_random_uuid(), 'BULK-' || n, 'Bulk ' || n, '', '{}', 'draft', 1, now(),
              now() - n * interval '1 second'
         FROM generate_series(1, 205) AS n
       RETURNING 1)
     SELECT count(*) AS n FROM made`,
  );
  t.equal(Number(rows[0]?.n), 205);
  const first = await list(h);
  t.equal(first.items.length, 50);
  t.type(first.nextCursor, 'string');
  const big = await list(h, { size: 200 });
  t.equal(big.items.length, 200);
  const rest = await list(h, { size: 200, cursor: big.nextCursor ?? '' });
  t.equal(rest.items.length, 5);
  t.equal(rest.nextCursor, null, 'the last page says so');
  t.equal(rest.items[4]?.sku, 'BULK-205', 'the oldest change comes last');
});

t.test('Bad parameters and tampered cursors are 400 problems', async (t) => {
  const h = await writeHarness(t);
  for (let i = 0; i < 3; i++) await create(h);
  const { nextCursor } = await list(h, { size: 1 });
  t.type(nextCursor, 'string');
  const cursor = nextCursor ?? '';
  const flipped = `${cursor.slice(0, 10)}${cursor[10] === 'A' ? 'B' : 'A'}${cursor.slice(11)}`;
  const forged = Buffer.from(JSON.stringify(['2026-02-30T00:00:00.000000Z', cursor])).toString(
    'base64url',
  );
  const bad: Record<string, string>[] = [
    { cursor: flipped },
    { cursor: forged },
    { cursor: 'not a cursor' },
    { cursor: `${cursor}=` },
    { size: '0' },
    { size: '201' },
    { size: 'ten' },
    { status: 'gone' },
    { categoryId: 'not-a-uuid' },
    { categoryId: '0B6F5BB2-5C1E-4C7A-9B1E-2F8C2B1F0A11' },
    { updatedAfter: 'yesterday' },
    { updatedAfter: '2026-02-30T00:00:00Z' },
    { q: '' },
    { q: 'x'.repeat(201) },
    { sku: 'has space' },
    { brand: 'nul\u0000byte' },
    { colour: 'red' },
  ];
  for (const query of bad) {
    const res = await h.admin({ method: 'GET', url: '/admin/v1/products', query });
    t.equal(res.statusCode, 400, JSON.stringify(query));
    t.match(res.headers['content-type'], /application\/problem\+json/);
    t.equal(res.json<{ code: string }>().code, 'validation_failed', JSON.stringify(query));
  }
  const twice = await h.admin({
    method: 'GET',
    url: '/admin/v1/products?status=draft&status=published',
  });
  t.equal(twice.statusCode, 400, 'a repeated filter');
  const anonymous = await h.app.inject({ method: 'GET', url: '/admin/v1/products' });
  t.equal(anonymous.statusCode, 401);
});

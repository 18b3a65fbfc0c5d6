// /v1/search over products with variants, on the real OpenSearch fed by the real pipeline:
// products and variants are created through catalog-write, travel through the outbox, relay and
// search projector, and are searched through catalog-read. Totals, items, matchedVariants and
// every facet are compared with a model computed here from the write model's snapshots.
import { setImmediate as nextTurn } from 'node:timers/promises';
import t from 'tap';
import {
  withVariantDefaults,
  type FullProductSnapshot,
  type ProductSnapshot,
} from '../../../shared/events/catalog-events.js';
import { PRICE_RANGES } from '../../../shared/read-models/search/query/build-search-body.js';
import type { SearchResult } from '../../../shared/read-models/search/query/response.js';
import { readProduct } from '../../../shared/write-model/products/commands.js';
import { startPipeline } from '../../../test/support/pipeline.js';
import { startReadSide } from '../../../test/support/read-side.js';
import { waitFor } from '../../../test/support/wait.js';

const p = await startPipeline(t);
const rs = await startReadSide(t, p);

const eur = (amountMinor: number) => ({ amountMinor, currency: 'EUR' });

async function admin(method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: object) {
  const res = await p.write.admin({ method, url, ...(payload ? { payload } : {}) });
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  return res.json<{ id: string; version: number; variantId?: string }>();
}

async function search(query: Record<string, string | string[]>): Promise<SearchResult> {
  const res = await rs.app.inject({ method: 'GET', url: '/v1/search', query });
  if (res.statusCode !== 200) throw new Error(`search ${JSON.stringify(query)}: ${res.body}`);
  return res.json<SearchResult>();
}

/** Waits until search holds `version` of the product (the read-your-writes parameters). */
const fresh = (id: string, version: number) => ({ minVersion: String(version), product: id });

// ----- a catalog: single SKUs, variants on color and size, on size only, on color only -----

const COLORS = ['black', 'grey', 'navy'];
const SIZES = ['S', 'M', 'XL'];
const BRANDS = ['Acme', 'Bolt', 'Cove'];

function prng(seed: number) {
  let state = seed;
  return (n: number): number => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state % n;
  };
}

function productBody(i: number, random: (n: number) => number): Record<string, unknown> {
  const kind = i % 4;
  const price = () => 800 + 500 * random(6);
  const base = {
    sku: `VT-${i}`,
    name: `${i % 2 === 0 ? 'Tee' : 'Mug'} ${i}`,
    description: 'Variant fixture.',
    brand: BRANDS[random(3)],
    status: 'published',
    images: [],
  };
  if (kind === 0) {
    return {
      ...base,
      attributes: { color: COLORS[random(3)], size: SIZES.filter(() => random(2) === 0) },
      price: eur(price()),
      ...(random(3) === 0 ? {} : { stock: { main: 1 + random(5) } }),
    };
  }
  const options = kind === 1 ? ['color', 'size'] : kind === 2 ? ['size'] : ['color'];
  const attributes =
    kind === 2 ? { color: COLORS[random(3)] } : kind === 3 ? { fit: 'regular' } : {};
  const seen = new Set<string>();
  const variants: Record<string, unknown>[] = [];
  for (let v = 0; v < 2 + random(4); v++) {
    const values = Object.fromEntries(
      options.map((name) => [name, (name === 'color' ? COLORS : SIZES)[random(3)] ?? '']),
    );
    const key = JSON.stringify(values);
    if (seen.has(key)) continue;
    seen.add(key);
    variants.push({
      sku: `VT-${i}-${v}`,
      options: values,
      ...(variants.length > 0 && random(4) === 0 ? {} : { price: eur(price()) }),
      ...(random(3) === 0 ? {} : { stock: { main: 1 + random(4) } }),
    });
  }
  return { ...base, attributes, options, variants };
}

/** The trap: black only in M, XL only in grey; the cheap one in stock, the dear one not. */
const trapBody = {
  sku: 'TRAP',
  name: 'Trap tee',
  description: 'black-M and grey-XL',
  brand: 'Acme',
  status: 'published',
  images: [],
  attributes: {},
  options: ['color', 'size'],
  variants: [
    {
      sku: 'TRAP-BM',
      options: { color: 'black', size: 'M' },
      price: eur(1000),
      stock: { main: 5 },
    },
    { sku: 'TRAP-GXL', options: { color: 'grey', size: 'XL' }, price: eur(3000) },
  ],
};

const random = prng(9);
const bodies = [trapBody, ...Array.from({ length: 36 }, (_, i) => productBody(i, random))];
const ids: string[] = [];
for (const body of bodies) ids.push((await admin('POST', '/admin/v1/products', body)).id);
const products: FullProductSnapshot[] = [];
for (const id of ids) products.push(withVariantDefaults(await readProduct(p.write.pool, id)));
for (const product of products) {
  await waitFor(`search to index ${product.name}`, async () =>
    (await p.search.client.getDocument(p.alias, product.id))?.version === product.version
      ? true
      : undefined,
  );
}
await p.search.client.refresh(p.alias);
const trap = products[0] as FullProductSnapshot;

// ----- the model: one sellable row satisfies every filter -----

interface Filters {
  readonly brand?: readonly string[];
  readonly priceMin?: number;
  readonly priceMax?: number;
  readonly inStock?: boolean;
  readonly attrs?: Readonly<Record<string, readonly string[]>>;
  readonly text?: string;
}
type Group = 'brand' | 'price' | 'inStock' | `attr:${string}`;

interface Row {
  readonly variantId: string | null;
  readonly options: Readonly<Record<string, string>>;
  readonly price: number | null;
  readonly inStock: boolean;
}

const rowsOf = (s: FullProductSnapshot): Row[] =>
  s.variants.length === 0
    ? [
        {
          variantId: null,
          options: {},
          price: s.price?.amountMinor ?? null,
          inStock: s.stock.available > 0,
        },
      ]
    : s.variants.map((v) => ({
        variantId: v.id,
        options: v.options,
        price: v.price?.amountMinor ?? null,
        inStock: v.stock.available > 0,
      }));

const isOption = (s: FullProductSnapshot, name: string) =>
  s.variants.length > 0 && s.options.includes(name);

/** The values a row has for a name: its option value, else the product's attribute values. */
function valuesOf(s: FullProductSnapshot, row: Row, name: string): string[] {
  if (isOption(s, name)) {
    const value = row.options[name];
    return value === undefined ? [] : [value];
  }
  const v = s.attributes[name];
  return v === undefined
    ? []
    : typeof v === 'string' || typeof v === 'number'
      ? [String(v)]
      : [...v];
}

function rowPasses(s: FullProductSnapshot, row: Row, f: Filters, except?: Group): boolean {
  if (f.text !== undefined && !s.name.toLowerCase().includes(f.text)) return false;
  if (except !== 'brand' && f.brand && !f.brand.includes(s.brand ?? '')) return false;
  if (except !== 'price' && (f.priceMin !== undefined || f.priceMax !== undefined)) {
    if (row.price === null) return false;
    if (f.priceMin !== undefined && row.price < f.priceMin) return false;
    if (f.priceMax !== undefined && row.price > f.priceMax) return false;
  }
  if (except !== 'inStock' && f.inStock && !row.inStock) return false;
  return Object.entries(f.attrs ?? {}).every(
    ([name, wanted]) =>
      except === `attr:${name}` || valuesOf(s, row, name).some((v) => wanted.includes(v)),
  );
}

const matching = (f: Filters, except?: Group) =>
  products.filter((s) => rowsOf(s).some((row) => rowPasses(s, row, f, except)));

function sortCounts<V>(list: readonly { value: V; count: number }[]) {
  return [...list].sort(
    (a, b) => b.count - a.count || String(a.value).localeCompare(String(b.value)),
  );
}

/** Products counted per value: a product counts once for each value one passing row has. */
function tally(
  f: Filters,
  except: Group | undefined,
  valuesOfRow: (s: FullProductSnapshot, row: Row) => string[],
) {
  const counts = new Map<string, number>();
  for (const s of products) {
    const values = new Set(
      rowsOf(s).flatMap((row) => (rowPasses(s, row, f, except) ? valuesOfRow(s, row) : [])),
    );
    for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  return sortCounts([...counts].map(([value, count]) => ({ value, count })));
}

function expectedFacets(f: Filters) {
  const names = new Set(
    matching(f).flatMap((s) => [
      ...Object.keys(s.attributes),
      ...(s.variants.length > 0 ? s.options : []),
    ]),
  );
  for (const name of Object.keys(f.attrs ?? {})) names.add(name);
  const attributes: Record<string, { value: string; count: number }[]> = {};
  for (const name of names) {
    const counted = tally(f, `attr:${name}`, (s, row) => valuesOf(s, row, name));
    if (counted.length > 0) attributes[name] = counted;
  }
  const inStockTrue = tally(f, 'inStock', (_s, row) => (row.inStock ? ['true'] : []));
  const anyRow = matching(f, 'inStock').length;
  const trueCount = inStockTrue[0]?.count ?? 0;
  return {
    brand: tally(f, 'brand', (s) => [s.brand ?? '']),
    category: [],
    price: PRICE_RANGES.map((range, i) => ({
      ...range,
      count:
        tally(f, 'price', (_s, row) =>
          row.price !== null &&
          row.price >= range.from &&
          (range.to === null || row.price < range.to)
            ? [String(i)]
            : [],
        )[0]?.count ?? 0,
    })),
    inStock: sortCounts(
      [
        { value: true, count: trueCount },
        { value: false, count: anyRow - trueCount },
      ].filter((c) => c.count > 0),
    ),
    attributes,
  };
}

function normalized(facets: SearchResult['facets']) {
  return {
    ...facets,
    brand: sortCounts(facets.brand),
    inStock: sortCounts(facets.inStock),
    attributes: Object.fromEntries(
      Object.entries(facets.attributes).map(([name, list]) => [name, sortCounts(list)]),
    ),
  };
}

/** The variant ids of a product that pass the filters (empty for a product without variants). */
const expectedMatched = (s: FullProductSnapshot, f: Filters): string[] =>
  rowsOf(s).flatMap((row) =>
    row.variantId !== null && rowPasses(s, row, f) ? [row.variantId] : [],
  );

function queryOf(f: Filters): Record<string, string | string[]> {
  return {
    size: '100',
    ...(f.text === undefined ? {} : { q: f.text }),
    ...(f.brand === undefined ? {} : { brand: [...f.brand] }),
    ...(f.priceMin === undefined ? {} : { price_min: String(f.priceMin) }),
    ...(f.priceMax === undefined ? {} : { price_max: String(f.priceMax) }),
    ...(f.inStock ? { in_stock: 'true' } : {}),
    ...Object.fromEntries(
      Object.entries(f.attrs ?? {}).map(([name, v]) => [`attr.${name}`, [...v]]),
    ),
  };
}

const cases: Filters[] = [
  {},
  { attrs: { color: ['black'], size: ['XL'] } },
  { attrs: { color: ['black', 'grey'], size: ['XL'] } },
  { attrs: { size: ['XL'] }, inStock: true },
  { priceMin: 1000, priceMax: 2499 },
  { attrs: { color: ['black'] }, priceMin: 2000 },
  { inStock: true },
  { brand: ['Acme'], attrs: { color: ['black'] } },
  { text: 'tee', attrs: { size: ['M'] }, inStock: true },
  { attrs: { size: ['M'], color: ['grey'] }, inStock: true, priceMax: 3000 },
  { text: 'mug', priceMin: 1300 },
];

t.test('Every search equals the model: items, totals, matched variants and facets', async (t) => {
  let found = 0;
  for (const f of cases) {
    const label = JSON.stringify(f);
    const r = await search(queryOf(f));
    const expected = matching(f);
    t.equal(r.total, expected.length, `${label}: total`);
    t.strictSame(
      r.items.map((i) => i.id).sort(),
      expected.map((s) => s.id).sort(),
      `${label}: one item per product`,
    );
    for (const item of r.items) {
      const s = products.find((x) => x.id === item.id) as FullProductSnapshot;
      t.strictSame(item.matchedVariants, expectedMatched(s, f), `${label}: matched of ${s.name}`);
      t.equal(item.variantCount, s.variants.length);
    }
    t.strictSame(normalized(r.facets), expectedFacets(f), `${label}: facets`);
    found += r.total;
  }
  t.ok(found > 40, `the cases find products (${found})`);
});

t.test('The traps: options, price and stock of different variants never combine', async (t) => {
  const has = async (query: Record<string, string | string[]>) =>
    (await search(query)).items.some((i) => i.id === trap.id);
  t.notOk(await has({ 'attr.color': 'black', 'attr.size': 'XL' }), 'black-M + grey-XL');
  t.ok(await has({ 'attr.color': 'black', 'attr.size': 'M' }));
  t.notOk(await has({ 'attr.size': 'XL', in_stock: 'true' }), 'grey-XL is out of stock');
  t.notOk(await has({ 'attr.color': 'black', price_min: '2000' }), 'black costs 1000');
  t.notOk(await has({ price_min: '2000', in_stock: 'true' }), 'the dear one is out of stock');
  t.ok(await has({ price_min: '2000' }));
  const black = await search({ 'attr.color': 'black', size: '100' });
  const trapItem = black.items.find((i) => i.id === trap.id);
  t.strictSame(trapItem?.matchedVariants, [trap.variants[0]?.id]);
  t.strictSame(trapItem?.priceRange, { min: 1000, max: 3000, currency: 'EUR' });
  t.equal(trapItem?.variantCount, 2);
  const xl = black.facets.attributes['size']?.find((c) => c.value === 'XL')?.count ?? 0;
  t.equal(
    xl,
    matching({ attrs: { color: ['black'], size: ['XL'] } }).length,
    'the XL count under black is what selecting XL finds',
  );
});

t.test('A SKU, a product one or a variant one, finds its product', async (t) => {
  for (const sku of ['TRAP', 'TRAP-GXL', 'trap-bm']) {
    const r = await search({ q: sku });
    t.equal(r.items[0]?.id, trap.id, sku);
  }
});

// ----- the pipeline changing a product under searches -----

/** A product and its variant ids, from the write model. */
async function snapshot(id: string): Promise<ProductSnapshot> {
  return readProduct(p.write.pool, id);
}

t.test('A variant deleted while its product is searched', async (t) => {
  const created = await admin('POST', '/admin/v1/products', {
    sku: 'GONE',
    name: 'Parka',
    description: 'Two variants, one goes.',
    brand: 'Cove',
    status: 'published',
    images: [],
    attributes: {},
    options: ['color', 'size'],
    variants: [
      {
        sku: 'GONE-BXL',
        options: { color: 'black', size: 'XL' },
        price: eur(9000),
        stock: { main: 1 },
      },
      {
        sku: 'GONE-GM',
        options: { color: 'grey', size: 'M' },
        price: eur(8000),
        stock: { main: 1 },
      },
    ],
  });
  const id = created.id;
  const [blackXl, greyM] = withVariantDefaults(await snapshot(id)).variants.map((v) => v.id);
  const query = { 'attr.color': 'black', 'attr.size': 'XL', q: 'parka' };
  const before = await search({ ...query, ...fresh(id, created.version) });
  t.strictSame(
    before.items.map((i) => [i.id, i.matchedVariants]),
    [[id, [blackXl]]],
  );

  // Searches keep running while the variant goes: each answer is the product with that variant,
  // or no product; never the product matched by a variant it no longer has, and never an error.
  // A cached answer comes back without any I/O, so the loop gives the event loop a turn after
  // each search: otherwise it can starve the delete and the reads it waits for.
  let running = true;
  const answers: SearchResult[] = [];
  const failures: string[] = [];
  const searching = (async () => {
    while (running) {
      const res = await rs.app.inject({ method: 'GET', url: '/v1/search', query });
      if (res.statusCode === 200) answers.push(res.json<SearchResult>());
      else failures.push(`${res.statusCode} ${res.body.slice(0, 200)}`);
      await nextTurn();
    }
  })();
  const removed = await admin('DELETE', `/admin/v1/products/${id}/variants/${blackXl ?? ''}`);
  const after = await search({ ...query, ...fresh(id, removed.version) });
  running = false;
  await searching;
  t.equal(after.total, 0, 'once search has the version, the product no longer matches');
  t.same(failures, [], 'no search failed during the delete');
  t.ok(answers.length > 0, `${answers.length} searches ran meanwhile`);
  const consistent = JSON.stringify([[id, [blackXl]]]);
  const inconsistent = answers
    .map((r) => JSON.stringify(r.items.map((i) => [i.id, i.matchedVariants])))
    .filter((items) => items !== '[]' && items !== consistent);
  t.same(inconsistent, [], 'every answer meanwhile: the product with that variant, or none');
  const grey = await search({ q: 'parka', 'attr.color': 'grey', ...fresh(id, removed.version) });
  t.strictSame(
    grey.items.map((i) => [i.id, i.matchedVariants, i.variantCount, i.priceRange]),
    [[id, [greyM], 1, { min: 8000, max: 8000, currency: 'EUR' }]],
    'the price range no longer spans the removed 9000',
  );
  t.strictSame(grey.facets.attributes['size'], [{ value: 'M', count: 1 }]);
  t.strictSame(grey.facets.attributes['color'], [{ value: 'grey', count: 1 }]);
  const unfiltered = await search({ q: 'parka', ...fresh(id, removed.version) });
  t.strictSame(unfiltered.items[0]?.matchedVariants, [greyM], 'unfiltered: only the one left');
});

t.test('A product moves from no variants to variants and back', async (t) => {
  let version = 0;
  const step = async (
    method: 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    payload?: object,
  ) => {
    const res = await admin(method, url, payload);
    version = res.version;
    return res;
  };
  const { id } = await step('POST', '/admin/v1/products', {
    sku: 'MOVER',
    name: 'Beanie',
    description: 'Single, then in colors, then single again.',
    brand: 'Bolt',
    status: 'published',
    images: [],
    attributes: { color: 'white' },
    price: eur(900),
    stock: { main: 6 },
  });
  const at = (query: Record<string, string>) =>
    search({ q: 'beanie', ...query, ...fresh(id, version) });
  /** The product page at the current version (catalog-read waits for it with minVersion). */
  const detail = async () => {
    const res = await rs.get(`/v1/products/${id}?minVersion=${version}`);
    if (res.statusCode !== 200) throw new Error(`detail: ${res.statusCode} ${res.body}`);
    return res.json<Record<string, unknown>>();
  };
  /** The product page of the beanie as a single SKU: its own price and stock, no options. */
  const singleSku = {
    price: { amountMinor: 900 },
    availability: { inStock: true, available: 6 },
    options: [],
    variants: [],
    priceRange: { min: 900, max: 900, currency: 'EUR' },
  };
  const single = await at({});
  t.match(await detail(), { ...singleSku, attributes: { color: 'white' } }, 'detail: a single SKU');
  t.match(single.items[0], {
    id,
    price: { amountMinor: 900 },
    priceRange: { min: 900, max: 900 },
    variantCount: 0,
    matchedVariants: [],
  });
  t.equal((await at({ 'attr.color': 'white', in_stock: 'true' })).total, 1, 'its attribute');

  await step('PATCH', `/admin/v1/products/${id}`, { options: ['color'], attributes: {} });
  const white = (
    await step('POST', `/admin/v1/products/${id}/variants`, {
      sku: 'MOVER-W',
      options: { color: 'white' },
    })
  ).variantId;
  const black = (
    await step('POST', `/admin/v1/products/${id}/variants`, {
      sku: 'MOVER-B',
      options: { color: 'black' },
    })
  ).variantId;
  await step('PUT', `/admin/v1/products/${id}/variants/${black ?? ''}/price`, eur(1500));
  const variants = await at({ 'attr.color': 'black' });
  t.match(variants.items[0], {
    id,
    priceRange: { min: 900, max: 1500 },
    variantCount: 2,
    matchedVariants: [black],
  });
  t.equal((await at({ 'attr.color': 'black', in_stock: 'true' })).total, 0, 'black has no stock');
  const withVariants = await detail();
  t.match(
    withVariants,
    {
      price: { amountMinor: 900 },
      availability: { inStock: true, available: 6 },
      options: [{ name: 'color', values: ['white', 'black'] }],
      priceRange: { min: 900, max: 1500, currency: 'EUR' },
      attributes: {},
    },
    'detail: the variants carry price and stock',
  );
  t.strictSame(
    (withVariants['variants'] as Record<string, unknown>[]).map((v) => [
      v['id'],
      v['options'],
      v['price'],
      v['inStock'],
    ]),
    [
      [white, { color: 'white' }, { amountMinor: 900, currency: 'EUR' }, true],
      [black, { color: 'black' }, { amountMinor: 1500, currency: 'EUR' }, false],
    ],
    'detail: each variant, the first with the price and stock the product had',
  );
  t.strictSame((await at({ in_stock: 'true' })).items[0]?.matchedVariants, [white]);
  t.strictSame((await at({ price_min: '1000' })).items[0]?.matchedVariants, [black]);
  t.strictSame(
    (await at({ q: 'MOVER-B' })).items.map((i) => i.id),
    [id],
    'a variant SKU',
  );

  // The last variant's price and stock become the product's again (white: 900, 6 in stock).
  await step('DELETE', `/admin/v1/products/${id}/variants/${black ?? ''}`);
  await step('DELETE', `/admin/v1/products/${id}/variants/${white ?? ''}`);
  const back = await at({});
  t.match(back.items[0], {
    id,
    price: { amountMinor: 900 },
    priceRange: { min: 900, max: 900 },
    variantCount: 0,
    matchedVariants: [],
    inStock: true,
  });
  t.equal((await at({ 'attr.color': 'black' })).total, 0, 'no option value is left');
  t.match(await detail(), singleSku, 'detail: a single SKU again');
  const own = await at({ price_min: '900', price_max: '900', in_stock: 'true' });
  t.equal(own.total, 1, 'its own price and stock');
  t.equal((await at({ q: 'MOVER-B' })).total, 0, 'the removed variant SKU finds nothing');
});

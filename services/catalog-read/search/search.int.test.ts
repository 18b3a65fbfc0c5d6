// GET /v1/search and /v1/suggest against the real OpenSearch, fed by the real pipeline: products
// are created through catalog-write, travel through the outbox, relay and search projector, and
// are searched through catalog-read. One catalog is seeded for the whole file; no test changes it.
import t from 'tap';
import { detailKeys } from '../../../shared/read-models/detail/document.js';
import type { Teardowns } from '../../../test/support/isolation.js';
import { startPipeline, type Pipeline } from '../../../test/support/pipeline.js';
import { startReadSide, type ReadSide } from '../../../test/support/read-side.js';
import { waitFor } from '../../../test/support/wait.js';
import { PRICE_RANGES } from '../../../shared/read-models/search/query/build-search-body.js';
import type { SearchResult } from '../../../shared/read-models/search/query/response.js';

interface Seed {
  readonly name: string;
  readonly description: string;
  readonly brand: string;
  readonly category: string | null;
  readonly price: number;
  readonly stock: number;
  readonly attributes: Record<string, string | string[] | number>;
}

interface Seeded extends Seed {
  readonly id: string;
  readonly categoryId: string | null;
}

const categorySeeds = [
  { key: 'footwear', name: 'Footwear', parent: null },
  { key: 'running', name: 'Running', parent: 'footwear' },
  { key: 'trail', name: 'Trail', parent: 'running' },
  { key: 'clothing', name: 'Clothing', parent: null },
  { key: 'knitwear', name: 'Knitwear', parent: 'clothing' },
] as const;

const catalogSeeds: Seed[] = [
  {
    name: 'Trail running shoe',
    description: 'Grippy sole for muddy paths.',
    brand: 'Stride',
    category: 'trail',
    price: 8999,
    stock: 5,
    attributes: { color: 'blue', size: ['42', '43'] },
  },
  {
    name: 'Trail running shoe laces',
    description: 'Spare laces, reflective.',
    brand: 'Stride',
    category: 'trail',
    price: 499,
    stock: 0,
    attributes: { color: 'black' },
  },
  {
    name: 'Road running shoe',
    description: 'Cushioned for asphalt & <city> roads',
    brand: 'Fleetfoot',
    category: 'running',
    price: 6999,
    stock: 3,
    attributes: { color: 'red', size: ['42'] },
  },
  {
    name: 'Canvas trainers',
    description: 'Everyday low tops.',
    brand: 'Urbanite',
    category: 'footwear',
    price: 3999,
    stock: 10,
    attributes: { color: 'white', size: ['41', '42'] },
  },
  {
    name: 'Crew neck sweater',
    description: 'Warm and soft.',
    brand: 'Woolly',
    category: 'knitwear',
    price: 5999,
    stock: 2,
    attributes: { material: 'merino wool', color: 'grey' },
  },
  {
    name: 'Rain jacket',
    description: 'Taped seams, packable hood.',
    brand: 'Stride',
    category: 'clothing',
    price: 12999,
    stock: 0,
    attributes: { color: 'blue' },
  },
  {
    name: 'Running socks',
    description: 'Cushioned heel, pack of three.',
    brand: 'Fleetfoot',
    category: 'running',
    price: 1299,
    stock: 20,
    attributes: { color: 'black', size: ['42'] },
  },
];

/** For relevance: all words against the rarest word, a phrase synonym against its words. */
const relevanceSeeds: Seed[] = [
  {
    name: 'Red shirt',
    description: 'Plain cotton tee.',
    brand: 'Tee Co',
    category: 'clothing',
    price: 1999,
    stock: 5,
    attributes: { color: 'red', size: ['M'] },
  },
  {
    name: 'Hooded sweatshirt',
    description: 'Heavyweight fleece.',
    brand: 'Cosy',
    category: 'clothing',
    price: 4999,
    stock: 5,
    attributes: { color: 'grey' },
  },
  {
    name: 'Zip hoodie',
    description: 'Full zip, kangaroo pocket.',
    brand: 'Cosy',
    category: 'clothing',
    price: 5499,
    stock: 5,
    attributes: { color: 'black' },
  },
  {
    name: 'Hooded rain poncho',
    description: 'Folds into its own pocket.',
    brand: 'Drizzle',
    category: 'clothing',
    price: 2999,
    stock: 5,
    attributes: { color: 'yellow' },
  },
];

/** Number attributes, for attr.<name>.min/max. */
const rangeSeeds: Seed[] = [
  ['Camp kettle', 1.2],
  ['Camp pot', 2.5],
  ['Camp cup', 0.3],
].map(([name, capacity]) => ({
  name: String(name),
  description: 'Lightweight camping gear.',
  brand: 'Hearth',
  category: null,
  price: 1999,
  stock: 4,
  attributes: { capacity: Number(capacity), finish: 'steel' },
}));

const PAGER_COUNT = 45;
const pagerSeeds: Seed[] = Array.from({ length: PAGER_COUNT }, (_, i) => ({
  name: `Pager item ${i}`,
  description: 'Filler for paging.',
  brand: 'Pager',
  category: null,
  price: [1000, 2000, 3000][i % 3] ?? 1000,
  stock: i % 2,
  attributes: {},
}));

interface Catalog {
  readonly p: Pipeline;
  readonly rs: ReadSide;
  readonly categories: Record<string, string>;
  readonly products: Seeded[];
  readonly byName: (name: string) => Seeded;
}

async function seed(t: Teardowns): Promise<Catalog> {
  // The catalog never changes after seeding, so a long cache TTL changes no answer here and lets
  // the cache test below repeat a request without racing the TTL.
  const p = await startPipeline(t, { SEARCH_CACHE_TTL_MS: '60000' });
  const rs = await startReadSide(t, p);
  const categories: Record<string, string> = {};
  for (const c of categorySeeds) {
    const res = await p.write.admin({
      method: 'POST',
      url: '/admin/v1/categories',
      payload: {
        slug: c.key,
        name: c.name,
        ...(c.parent === null ? {} : { parentId: categories[c.parent] }),
      },
    });
    categories[c.key] = res.json<{ id: string }>().id;
  }
  const create = async (s: Seed, i: number): Promise<Seeded> => {
    const categoryId = s.category === null ? null : (categories[s.category] ?? null);
    const res = await p.write.admin({
      method: 'POST',
      url: '/admin/v1/products',
      payload: {
        sku: `SEED-${i}`,
        name: s.name,
        description: s.description,
        brand: s.brand,
        categoryId,
        attributes: s.attributes,
        images: [`https://cdn.example.com/${i}.jpg`],
        price: { amountMinor: s.price, currency: 'EUR' },
        status: 'published',
        ...(s.stock > 0 ? { stock: { main: s.stock } } : {}),
      },
    });
    if (res.statusCode !== 201) throw new Error(`seed ${s.name}: ${res.body}`);
    return { ...s, id: res.json<{ id: string }>().id, categoryId };
  };
  const products: Seeded[] = [];
  const all = [...catalogSeeds, ...relevanceSeeds, ...rangeSeeds, ...pagerSeeds];
  for (let start = 0; start < all.length; start += 10) {
    const batch = all.slice(start, start + 10);
    products.push(...(await Promise.all(batch.map((s, j) => create(s, start + j)))));
  }
  for (const product of products) {
    await waitFor(`search to index ${product.name}`, async () =>
      (await p.search.client.getDocument(p.alias, product.id)) ? true : undefined,
    );
  }
  await waitFor('the category tree', async () =>
    (await p.redis.client.hlen(detailKeys.categories(p.config.redisKeyPrefix))) ===
    categorySeeds.length
      ? true
      : undefined,
  );
  await p.search.client.refresh(p.alias);
  const byName = (name: string): Seeded => {
    const found = products.find((s) => s.name === name);
    if (!found) throw new Error(`no seed ${name}`);
    return found;
  };
  return { p, rs, categories, products, byName };
}

const catalog = await seed(t);
const { rs, p, products, categories, byName } = catalog;

async function search(query: Record<string, string | string[]>): Promise<SearchResult> {
  const res = await rs.app.inject({ method: 'GET', url: '/v1/search', query });
  if (res.statusCode !== 200) throw new Error(`search ${JSON.stringify(query)}: ${res.body}`);
  return res.json<SearchResult>();
}

const names = (r: SearchResult) => r.items.map((i) => i.name);

// ----- an independent model of the filters and facets, over the seeded products -----

interface ModelFilters {
  readonly brand?: readonly string[];
  readonly categoryIds?: readonly string[];
  readonly priceMin?: number;
  readonly priceMax?: number;
  readonly inStock?: boolean;
  readonly attrs?: Readonly<Record<string, readonly string[]>>;
  readonly ranges?: Readonly<Record<string, { readonly min?: number; readonly max?: number }>>;
}

type Facet = 'brand' | 'category' | 'price' | 'inStock' | `attr:${string}`;

const valuesOf = (s: Seeded, name: string): string[] => {
  const v = s.attributes[name];
  return v === undefined
    ? []
    : typeof v === 'number'
      ? [String(v)]
      : typeof v === 'string'
        ? [v]
        : v;
};

function passes(s: Seeded, f: ModelFilters, except?: Facet): boolean {
  if (except !== 'brand' && f.brand && !f.brand.includes(s.brand)) return false;
  if (except !== 'category' && f.categoryIds && !f.categoryIds.includes(s.categoryId ?? '')) {
    return false;
  }
  if (except !== 'price' && f.priceMin !== undefined && s.price < f.priceMin) return false;
  if (except !== 'price' && f.priceMax !== undefined && s.price > f.priceMax) return false;
  if (except !== 'inStock' && f.inStock && s.stock <= 0) return false;
  for (const [name, wanted] of Object.entries(f.attrs ?? {})) {
    if (except === `attr:${name}`) continue;
    if (!valuesOf(s, name).some((v) => wanted.includes(v))) return false;
  }
  for (const [name, { min, max }] of Object.entries(f.ranges ?? {})) {
    if (except === `attr:${name}`) continue;
    const v = s.attributes[name];
    if (typeof v !== 'number') return false;
    if ((min !== undefined && v < min) || (max !== undefined && v > max)) return false;
  }
  return true;
}

function tally(keys: string[]): { value: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
  return sortCounts([...counts].map(([value, count]) => ({ value, count })));
}

function sortCounts<V>(
  list: readonly { value: V; count: number }[],
): { value: V; count: number }[] {
  return [...list].sort(
    (a, b) => b.count - a.count || String(a.value).localeCompare(String(b.value)),
  );
}

/** The facets the model expects, over the products `within` (default: all) that pass `f`. */
function expectedFacets(f: ModelFilters, within: (s: Seeded) => boolean = () => true) {
  const seen = (except?: Facet) => products.filter((s) => within(s) && passes(s, f, except));
  const attributes: Record<string, { value: string; count: number }[]> = {};
  const attributeNames = new Set(seen().flatMap((s) => Object.keys(s.attributes)));
  for (const name of attributeNames) {
    if (f.attrs?.[name] === undefined && f.ranges?.[name] === undefined) {
      attributes[name] = tally(seen().flatMap((s) => [...new Set(valuesOf(s, name))]));
    }
  }
  for (const name of new Set([...Object.keys(f.attrs ?? {}), ...Object.keys(f.ranges ?? {})])) {
    attributes[name] = tally(seen(`attr:${name}`).flatMap((s) => [...new Set(valuesOf(s, name))]));
  }
  const inStock = seen('inStock');
  return {
    brand: tally(seen('brand').map((s) => s.brand)),
    category: tally(seen('category').flatMap((s) => (s.categoryId ? [s.categoryId] : []))),
    price: PRICE_RANGES.map((r) => ({
      ...r,
      count: seen('price').filter((s) => s.price >= r.from && (r.to === null || s.price < r.to))
        .length,
    })),
    inStock: sortCounts(
      [true, false]
        .map((value) => ({ value, count: inStock.filter((s) => s.stock > 0 === value).length }))
        .filter((c) => c.count > 0),
    ),
    attributes,
  };
}

function normalized(facets: SearchResult['facets']) {
  return {
    ...facets,
    brand: sortCounts(facets.brand),
    category: sortCounts(facets.category),
    inStock: sortCounts(facets.inStock),
    attributes: Object.fromEntries(
      Object.entries(facets.attributes).map(([name, list]) => [name, sortCounts(list)]),
    ),
  };
}

// ----- relevance -----

t.test('Relevance: the product named exactly like the query comes first', async (t) => {
  const r = await search({ q: 'Trail running shoe' });
  t.equal(r.items[0]?.name, 'Trail running shoe');
  t.ok(names(r).includes('Trail running shoe laces'));
  t.equal(r.items[0]?.highlight.name, '<em>Trail</em> <em>running</em> <em>shoe</em>');
  t.match(r.items[0], {
    id: byName('Trail running shoe').id,
    sku: 'SEED-0',
    brand: 'Stride',
    price: { amountMinor: 8999, currency: 'EUR' },
    inStock: true,
    category: categories['trail'],
    image: 'https://cdn.example.com/0.jpg',
  });
});

t.test('Relevance: a typo still finds the word ("runnning")', async (t) => {
  const found = names(await search({ q: 'runnning' }));
  for (const name of ['Trail running shoe', 'Road running shoe', 'Running socks']) {
    t.ok(found.includes(name), name);
  }
});

t.test('Relevance: a plural finds the singular ("shoes" → "shoe")', async (t) => {
  const found = names(await search({ q: 'shoes' }));
  t.ok(found.includes('Trail running shoe'));
  t.ok(found.includes('Road running shoe'));
  t.notOk(found.includes('Rain jacket'));
});

t.test('Relevance: a synonym from the file ("sneakers" → "trainers")', async (t) => {
  const r = await search({ q: 'sneakers' });
  t.ok(names(r).includes('Canvas trainers'));
});

t.test('Relevance: a word found only in an attribute value ("merino")', async (t) => {
  const r = await search({ q: 'merino' });
  t.strictSame(names(r), ['Crew neck sweater']);
});

t.test('Relevance: descriptions are searched and highlighted, HTML-escaped', async (t) => {
  const r = await search({ q: 'asphalt' });
  t.strictSame(names(r), ['Road running shoe']);
  t.equal(
    r.items[0]?.highlight.description,
    'Cushioned for <em>asphalt</em> &amp; &lt;city&gt; roads',
  );
});

t.test('Relevance: every product with all the words ranks above one with only some', async (t) => {
  const r = await search({ q: 'red running shoes', size: '100' });
  const allWords = ['Road running shoe'];
  const some = ['Red shirt', 'Trail running shoe', 'Trail running shoe laces'];
  const at = (name: string) => names(r).indexOf(name);
  for (const name of [...allWords, ...some]) t.ok(at(name) >= 0, `${name} is found`);
  for (const full of allWords) {
    for (const partial of some) t.ok(at(full) < at(partial), `${full} above ${partial}`);
  }
  // "running shoes" has synonyms, so it is a phrase: running socks are not running shoes.
  t.notOk(names(r).includes('Running socks'));
});

t.test('Relevance: a synonym phrase matches as a phrase, both ways', async (t) => {
  for (const q of ['hooded sweatshirt', 'hoodie', 'Hoodies']) {
    const found = names(await search({ q }));
    t.strictSame([...found].sort(), ['Hooded sweatshirt', 'Zip hoodie'], q);
  }
  t.ok(names(await search({ q: 'hooded' })).includes('Hooded rain poncho'), 'a word alone');
});

t.test('Relevance: a typo in one word of several still ranks the full match first', async (t) => {
  const r = await search({ q: 'rain jakcet' });
  t.equal(r.items[0]?.name, 'Rain jacket');
  const typo = await search({ q: 'red runnning shoes' });
  t.equal(typo.items[0]?.name, 'Road running shoe');
});

// ----- filters and facets -----

t.test('Browse: every published product, facets equal to the seeded data', async (t) => {
  const r = await search({ size: '100' });
  t.equal(r.total, products.length);
  t.equal(r.items.length, products.length);
  t.strictSame(normalized(r.facets), expectedFacets({}));
  const { rows } = await p.write.pool.query<{ brand: string; n: string }>(
    `SELECT brand, count(*) AS n FROM products WHERE status = 'published' GROUP BY brand`,
  );
  t.strictSame(
    sortCounts(r.facets.brand),
    sortCounts(rows.map((row) => ({ value: row.brand, count: Number(row.n) }))),
    'the brand facet equals the write store',
  );
});

t.test('A selected brand narrows the items but its facet still lists the others', async (t) => {
  const r = await search({ brand: 'Stride', size: '100' });
  t.equal(r.total, 3);
  t.ok(r.items.every((i) => i.brand === 'Stride'));
  t.ok(r.facets.brand.some((b) => b.value === 'Fleetfoot' && b.count === 2));
  t.ok(r.facets.brand.some((b) => b.value === 'Pager' && b.count === PAGER_COUNT));
  t.strictSame(normalized(r.facets), expectedFacets({ brand: ['Stride'] }));
});

t.test('Filters combine: brands OR, attribute values OR, attribute names AND', async (t) => {
  const query = {
    brand: ['Stride', 'Fleetfoot'],
    'attr.color': ['blue', 'black'],
    size: '100',
  };
  const r = await search(query);
  t.strictSame(
    names(r).sort(),
    ['Rain jacket', 'Running socks', 'Trail running shoe', 'Trail running shoe laces'].sort(),
  );
  t.strictSame(
    normalized(r.facets),
    expectedFacets({ brand: ['Stride', 'Fleetfoot'], attrs: { color: ['blue', 'black'] } }),
  );
  const both = await search({ 'attr.color': 'blue', 'attr.size': '42' });
  t.strictSame(names(both), ['Trail running shoe']);
  t.strictSame(
    normalized(both.facets),
    expectedFacets({ attrs: { color: ['blue'], size: ['42'] } }),
  );
});

t.test('A category includes its descendants; an unknown one finds nothing', async (t) => {
  const running = categories['running'] ?? '';
  const r = await search({ category: running, size: '100' });
  const inRunning = [running, categories['trail'] ?? ''];
  t.strictSame(
    names(r).sort(),
    products
      .filter((s) => inRunning.includes(s.categoryId ?? ''))
      .map((s) => s.name)
      .sort(),
  );
  t.strictSame(normalized(r.facets), expectedFacets({ categoryIds: inRunning }));
  const unknown = await search({ category: '00000000-0000-4000-8000-000000000000' });
  t.equal(unknown.total, 0);
  t.strictSame(unknown.items, []);
  t.equal(unknown.nextCursor, null);
});

t.test('Price range and in-stock filters, each facet counted without its own', async (t) => {
  const r = await search({ price_min: '1000', price_max: '7000', in_stock: 'true', size: '100' });
  const model = { priceMin: 1000, priceMax: 7000, inStock: true };
  t.strictSame(
    names(r).sort(),
    products
      .filter((s) => passes(s, model))
      .map((s) => s.name)
      .sort(),
  );
  t.ok(r.items.every((i) => i.inStock && (i.price?.amountMinor ?? 0) >= 1000));
  t.strictSame(normalized(r.facets), expectedFacets(model));
  t.ok(
    r.facets.inStock.some((c) => c.value === false && c.count > 0),
    'the in-stock facet still counts products out of stock',
  );
});

t.test('A text search with filters counts facets exactly as a browse does', async (t) => {
  const running = (s: Seeded) => /running/i.test(s.name);
  const query = { q: 'running', brand: 'Fleetfoot', 'attr.color': 'black', size: '100' };
  const r = await search(query);
  t.strictSame(names(r), ['Running socks']);
  t.strictSame(
    normalized(r.facets),
    expectedFacets({ brand: ['Fleetfoot'], attrs: { color: ['black'] } }, running),
  );
  const unfiltered = await search({ q: 'running', size: '100' });
  t.strictSame(normalized(unfiltered.facets), expectedFacets({}, running));
});

t.test('facets= computes only the facets asked for; the others are empty', async (t) => {
  const some = await search({ facets: 'brand,attr.size', 'attr.color': 'blue' });
  const all = await search({ 'attr.color': 'blue' });
  t.strictSame(some.facets, {
    brand: all.facets.brand,
    category: [],
    price: [],
    inStock: [],
    attributes: { size: all.facets.attributes['size'] },
  });
  t.equal(some.total, all.total, 'the hits are the same');
  const selected = await search({ facets: 'attr.color', 'attr.color': 'blue' });
  t.strictSame(selected.facets.attributes, { color: all.facets.attributes['color'] });
  const none = await search({ q: 'shoe', facets: 'none' });
  t.strictSame(none.facets, { brand: [], category: [], price: [], inStock: [], attributes: {} });
  t.ok(none.total > 0);
  const res = await rs.app.inject({
    method: 'GET',
    url: '/v1/search',
    query: { facets: 'colour' },
  });
  t.equal(res.statusCode, 400);
  t.match(res.json(), { code: 'validation_failed', detail: /facets/ });
});

t.test('Number attributes filter by range, bounds included; their facet ignores it', async (t) => {
  const r = await search({ 'attr.capacity.min': '1', 'attr.capacity.max': '2.5', size: '100' });
  t.strictSame(names(r).sort(), ['Camp kettle', 'Camp pot']);
  t.strictSame(
    normalized(r.facets),
    expectedFacets({ ranges: { capacity: { min: 1, max: 2.5 } } }),
  );
  const upTo = await search({ 'attr.capacity.max': '0.3', 'attr.finish': 'steel' });
  t.strictSame(names(upTo), ['Camp cup']);
  t.strictSame(
    normalized(upTo.facets),
    expectedFacets({ ranges: { capacity: { max: 0.3 } }, attrs: { finish: ['steel'] } }),
  );
  const above = await search({ 'attr.capacity.min': '-1e3' });
  t.equal(above.total, 3, 'a negative bound');
  const none = await search({ 'attr.color.min': '0' });
  t.equal(none.total, 0, 'an attribute that is never a number matches no range');
  for (const query of [
    { 'attr.capacity.min': 'abc' },
    { 'attr.capacity.min': '3', 'attr.capacity.max': '1' },
    { 'attr.capacity.avg': '1' },
    { 'attr.capacity.min': ['1', '2'] },
  ]) {
    const res = await rs.app.inject({ method: 'GET', url: '/v1/search', query });
    t.equal(res.statusCode, 400, JSON.stringify(query));
    t.match(res.headers['content-type'], /^application\/problem\+json/);
    const body = res.json<{ status: number; code: string; errors: unknown[] }>();
    t.match(body, { status: 400, code: 'validation_failed' });
    t.match(JSON.stringify(body.errors), /attr\.capacity/);
  }
});

// ----- sorting and paging -----

t.test('Sorts: price ascending and descending, newest, ties by id', async (t) => {
  const asc = await search({ sort: 'price_asc', size: '100' });
  const key = (i: SearchResult['items'][number]) => i.price?.amountMinor ?? 0;
  asc.items.slice(1).forEach((item, i) => {
    const before = asc.items[i];
    if (!before) return;
    t.ok(key(before) < key(item) || (key(before) === key(item) && before.id < item.id));
  });
  const desc = await search({ sort: 'price_desc', size: '100' });
  desc.items.slice(1).forEach((item, i) => {
    const before = desc.items[i];
    if (!before) return;
    t.ok(key(before) > key(item) || (key(before) === key(item) && before.id < item.id));
  });
  const created = new Map<string, number>();
  for (const s of products) {
    const doc = await p.search.client.getDocument(p.alias, s.id);
    created.set(s.id, Date.parse(String(doc?.source['createdAt'])));
  }
  const expected = [...products]
    .sort((a, b) => (created.get(b.id) ?? 0) - (created.get(a.id) ?? 0) || (a.id < b.id ? -1 : 1))
    .map((s) => s.id);
  const newest = await search({ sort: 'newest', size: '100' });
  t.strictSame(
    newest.items.map((i) => i.id),
    expected,
  );
  const browse = await search({ size: '100' });
  t.strictSame(
    browse.items.map((i) => i.id),
    expected,
    'browse defaults to newest',
  );
});

async function walkPages(query: Record<string, string>): Promise<string[]> {
  const ids: string[] = [];
  for (let page = 1; ; page++) {
    const r = await search({ ...query, page: String(page) });
    ids.push(...r.items.map((i) => i.id));
    if (r.nextCursor === null) return ids;
    if (page > 20) throw new Error('too many pages');
  }
}

async function walkCursor(query: Record<string, string>): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null | undefined;
  for (let n = 0; n < 20; n++) {
    const r = await search({ ...query, ...(cursor ? { cursor } : {}) });
    ids.push(...r.items.map((i) => i.id));
    cursor = r.nextCursor;
    if (cursor === null) return ids;
  }
  throw new Error('too many pages');
}

t.test('Paging 45 products by 10, by page and by cursor: each once, none missing', async (t) => {
  const pagerIds = products
    .filter((s) => s.brand === 'Pager')
    .map((s) => s.id)
    .sort();
  const queries: Record<string, string>[] = [
    { brand: 'Pager', size: '10', sort: 'price_asc' },
    { brand: 'Pager', size: '10', sort: 'price_desc' },
    { brand: 'Pager', size: '10' },
    { q: 'pager', size: '10' },
  ];
  for (const query of queries) {
    for (const [how, walk] of [
      ['page', walkPages],
      ['cursor', walkCursor],
    ] as const) {
      const ids = await walk(query);
      t.equal(ids.length, PAGER_COUNT, `${how} ${JSON.stringify(query)}: count`);
      t.strictSame([...ids].sort(), pagerIds, `${how} ${JSON.stringify(query)}: each once`);
    }
    t.strictSame(await walkPages(query), await walkCursor(query), 'both ways, same order');
  }
  const last = await search({ brand: 'Pager', size: '10', page: '5' });
  t.equal(last.items.length, 5);
  t.equal(last.nextCursor, null);
  t.equal(last.total, PAGER_COUNT);
});

t.test('A cursor is refused with other filters or another sort', async (t) => {
  const first = await search({ brand: 'Pager', size: '10', sort: 'price_asc' });
  const cursor = first.nextCursor ?? '';
  for (const query of [
    { brand: 'Stride', size: '10', sort: 'price_asc', cursor },
    { brand: 'Pager', size: '10', sort: 'price_desc', cursor },
    { brand: 'Pager', size: '10', sort: 'price_asc', cursor: `${cursor.slice(0, -2)}xx` },
  ]) {
    const res = await rs.app.inject({ method: 'GET', url: '/v1/search', query });
    t.equal(res.statusCode, 400);
    t.match(res.json(), { status: 400, code: 'validation_failed', detail: /cursor/ });
  }
  const other = await search({ brand: 'Pager', size: '20', sort: 'price_asc', cursor });
  t.equal(other.items.length, 20, 'the size may change between pages');
});

// ----- hostile input and validation -----

t.test('Hostile q never breaks the search', async (t) => {
  const hostile = [
    '"\\ ( ) : ^ ~ * ? [ ] { } / AND OR NOT',
    'name:shoe^5 OR brand:* AND (price:[0 TO 10])',
    '{"query":{"match_all":{}}}',
    '<script>alert(1)</script>',
    'shoe '.repeat(819), // 4,095 characters: q is at most 4,096
    'x'.repeat(4_096),
    '中文字'.repeat(1000),
    '😀'.repeat(2000),
    '👟🏃‍♀️ shoe 😀',
    'حذاء الجري للرجال',
    'שלום',
    '\u200f\u202e shoe',
    '   ',
  ];
  for (const q of hostile) {
    const res = await rs.app.inject({ method: 'GET', url: '/v1/search', query: { q } });
    t.equal(res.statusCode, 200, `q=${q.slice(0, 30)}`);
    t.type(res.json<SearchResult>().total, 'number');
  }
  const long = await search({ q: 'shoe '.repeat(819) });
  t.ok(names(long).includes('Trail running shoe'), 'a 4 kB query still finds by its words');
  const over = await rs.app.inject({
    method: 'GET',
    url: '/v1/search',
    query: { q: 'shoe '.repeat(2048) },
  });
  t.equal(over.statusCode, 400, 'a longer q is refused as invalid, never a 5xx');
  t.match(over.json(), { code: 'validation_failed', detail: /querystring/ });
  const emoji = await search({ q: '👟 shoe' });
  t.ok(names(emoji).includes('Road running shoe'));
});

t.test('Bad parameters are 400 problem documents', async (t) => {
  const bad: [Record<string, string>, RegExp][] = [
    [{ size: '1000' }, /size/],
    [{ size: '0' }, /size/],
    [{ page: '200' }, /use cursor/],
    [{ price_min: 'abc' }, /price_min/],
    [{ price_min: '500', price_max: '100' }, /price_min/],
    [{ unknown: '1' }, /unknown/],
    [{ 'attr.Bad Name': 'x' }, /attr\.Bad Name/],
    [{ sort: 'cheapest' }, /sort/],
    [{ in_stock: 'maybe' }, /in_stock/],
    [{ cursor: 'not-a-cursor' }, /cursor/],
    [{ minVersion: '3' }, /product/],
    [{ minVersion: 'abc', product: '00000000-0000-4000-8000-000000000000' }, /minVersion/],
  ];
  for (const [query, field] of bad) {
    const res = await rs.app.inject({ method: 'GET', url: '/v1/search', query });
    t.equal(res.statusCode, 400, JSON.stringify(query));
    t.match(res.headers['content-type'], /^application\/problem\+json/);
    const body = res.json<{ status: number; code: string; detail: string; errors: unknown[] }>();
    t.equal(body.status, 400);
    t.equal(body.code, 'validation_failed');
    t.match(JSON.stringify(body.errors), field, JSON.stringify(query));
  }
});

// ----- usage and suggestions -----

t.test('Each search is recorded for analytics with its count and filters', async (t) => {
  const before = rs.searches.length;
  const r = await search({ q: 'Trail running shoe', brand: 'Stride', 'attr.color': 'blue' });
  t.equal(rs.searches.length, before + 1);
  t.match(rs.searches.at(-1), {
    query: 'Trail running shoe',
    resultCount: r.total,
    filters: { brand: ['Stride'], 'attr.color': ['blue'], sort: 'relevance' },
  });
  t.type(rs.searches.at(-1)?.latencyMs, 'number');
  const head = await rs.app.inject({ method: 'HEAD', url: '/v1/search?q=Trail' });
  t.equal(head.statusCode, 200);
  t.equal(rs.searches.length, before + 1, 'a HEAD is not recorded as a search');
});

interface Suggestions {
  suggestions: { id: string; name: string; highlight: string }[];
}

t.test('Suggestions complete the last word and tolerate typos', async (t) => {
  const suggest = async (q: string) => {
    const res = await rs.app.inject({ method: 'GET', url: '/v1/suggest', query: { q } });
    t.equal(res.statusCode, 200);
    return res.json<Suggestions>().suggestions;
  };
  const prefix = await suggest('trail ru');
  t.strictSame(prefix.map((s) => s.name).sort(), [
    'Trail running shoe',
    'Trail running shoe laces',
  ]);
  t.match(prefix[0]?.highlight, /<em>Trail<\/em> <em>running<\/em>/);
  const typo = await suggest('runnning sh');
  t.ok(
    typo.some((s) => s.name === 'Road running shoe'),
    'a typo before the last word',
  );
  const lastTypo = await suggest('crew nekc');
  t.ok(
    lastTypo.some((s) => s.name === 'Crew neck sweater'),
    'a typo in the last word',
  );
  t.strictSame(await suggest(''), []);
  t.strictSame(await suggest('"\\ ( ) : ^'), []);
  const bad = await rs.app.inject({ method: 'GET', url: '/v1/suggest', query: { size: '999' } });
  t.equal(bad.statusCode, 400);
});

t.test('Suggestions tolerate a typo in the word still being typed', async (t) => {
  const suggest = async (q: string) => {
    const res = await rs.app.inject({ method: 'GET', url: '/v1/suggest', query: { q } });
    t.equal(res.statusCode, 200);
    return res.json<Suggestions>().suggestions.map((s) => s.name);
  };
  t.strictSame(await suggest('crew swaet'), ['Crew neck sweater'], '"swaet" for "sweat…"');
  const typed = await suggest('hodoe');
  t.strictSame(typed.sort(), ['Hooded rain poncho', 'Hooded sweatshirt'], '"hodoe" for "hoode…"');
  t.ok((await suggest('road runi')).includes('Road running shoe'), '"runi" for "runn…"');
});

t.test('A repeated search is answered by the cache, without an engine request', async (t) => {
  const engineRequests = async () => {
    const text = (await rs.app.inject({ method: 'GET', url: '/metrics' })).body;
    return text
      .split('\n')
      .filter((line) => line.startsWith('aisle_search_engine_requests_total{'))
      .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
  };
  const first = await search({ q: 'canvas', brand: 'Urbanite', 'attr.size': '42' });
  const before = await engineRequests();
  t.ok(before > 0);
  const again = await search({ 'attr.size': '42', brand: 'Urbanite', q: 'canvas' });
  t.equal(await engineRequests(), before, 'no engine request');
  t.strictSame(again, first);
});

import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Page } from 'puppeteer-core';
import t from 'tap';
import { projectPath } from '../shared/paths.js';
import { generateProduct, seedLeaves } from '../shared/write-model/seed/seed-data.js';
import { seedCatalog } from '../shared/write-model/seed/seed.js';
import { chromiumPath, launchChromium, NO_CHROMIUM, offlineExcept } from './support/browser.js';
import { ADMIN_TOKEN } from './support/catalog-write.js';
import { startPipeline } from './support/pipeline.js';
import { startReadSide } from './support/read-side.js';
import { waitFor } from './support/wait.js';

const SEED = 11;
/** More published products than numbered pages reach (1000 results), so paging needs the cursor. */
const PRODUCTS = 1200;
/** The storefront's page size (app.js PAGE_SIZE); the API is asked with the same. */
const SIZE = 24;
/**
 * Where the screenshots go: the committed ones in docs/screenshots with UPDATE_SCREENSHOTS=1,
 * otherwise .local/screenshots (git-ignored), so a test run leaves the work tree clean.
 */
const SCREENSHOTS = process.env['UPDATE_SCREENSHOTS']
  ? projectPath('docs', 'screenshots')
  : projectPath('.local', 'screenshots');
/** A name that must come out as text, never as markup. */
const TRICKY_NAME = 'Sneaky <b>Bold</b> & "Quoted" Lamp';

interface Money {
  amountMinor: number;
  currency: string;
}
interface Bucket<T = string> {
  value: T;
  count: number;
}
interface SearchAnswer {
  total: number;
  items: { id: string; name: string; price: Money | null; highlight: { name?: string } }[];
  facets: {
    brand: Bucket[];
    category: Bucket[];
    price: { from: number; to: number | null; count: number }[];
    inStock: Bucket<boolean>[];
    attributes: Record<string, Bucket[]>;
  };
  nextCursor: string | null;
}
interface Detail {
  id: string;
  name: string;
  sku: string;
  price: Money | null;
  availability: { inStock: boolean; available: number };
}

async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

/** The facet counts a search answer implies, keyed as the page keys its controls (param=value). */
function facetCounts(f: SearchAnswer['facets']): Record<string, number> {
  const out: Record<string, number> = {
    'in_stock=true': f.inStock.find((b) => b.value)?.count ?? 0,
  };
  for (const b of f.category) out[`category=${b.value}`] = b.count;
  for (const b of f.brand) out[`brand=${b.value}`] = b.count;
  for (const b of f.price) if (b.count > 0) out[`price=${b.from}`] = b.count;
  for (const [name, values] of Object.entries(f.attributes)) {
    for (const b of values) out[`attr.${name}=${b.value}`] = b.count;
  }
  return out;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#x27': "'" };
/** The <em> parts of an API highlight, as text. */
const emphasized = (html: string | undefined): string[] =>
  [...(html ?? '').matchAll(/<em>(.*?)<\/em>/g)].map(([, part = '']) =>
    part.replace(/&(amp|lt|gt|quot|#x27);/g, (_, name: string) => ENTITIES[name] ?? ''),
  );

const euros = (m: Money): string =>
  new Intl.NumberFormat('en', { style: 'currency', currency: m.currency }).format(
    m.amountMinor / 100,
  );

/** An element as the test reads it back from the page. */
interface Shown {
  readonly text: string;
  readonly data: Record<string, string>;
  readonly attr: Record<string, string>;
  readonly checked: boolean;
  readonly disabled: boolean;
  readonly hidden: boolean;
  readonly value: string;
  /** The text of each <mark> inside. */
  readonly marks: string[];
  /** The tag names of every element inside. */
  readonly inside: string[];
  /** A facet control's count (the `.facet-count` of its label). */
  readonly count: string | null;
}

// Browser-side code, as a string: the project compiles without the DOM library.
const SNAPSHOT = `(selector) => [...document.querySelectorAll(selector)].map((el) => ({
  text: el.textContent ?? '',
  data: { ...el.dataset },
  attr: Object.fromEntries([...el.attributes].map((a) => [a.name, a.value])),
  checked: el.checked === true,
  disabled: el.disabled === true,
  hidden: el.hidden === true,
  value: el.value ?? '',
  marks: [...el.querySelectorAll('mark')].map((m) => m.textContent),
  inside: [...el.querySelectorAll('*')].map((d) => d.tagName.toLowerCase()),
  count: el.closest('label')?.querySelector('.facet-count')?.textContent ?? null,
}))`;

const all = async (page: Page, selector: string): Promise<Shown[]> =>
  (await page.evaluate(`(${SNAPSHOT})(${JSON.stringify(selector)})`)) as Shown[];

async function one(page: Page, selector: string): Promise<Shown> {
  const [first] = await all(page, selector);
  if (first === undefined) throw new Error(`nothing on the page matches ${selector}`);
  return first;
}

/** The page, read back: result ids in order, the total shown, and every facet count shown. */
const shown = {
  ids: async (page: Page) => (await all(page, '#results .card')).map((c) => c.data['id']),
  total: async (page: Page) => Number((await one(page, '#count')).data['total']),
  facets: async (page: Page) =>
    Object.fromEntries(
      (await all(page, '#facets input'))
        .filter((input) => input.count !== null)
        .map((input): [string, number] => [
          input.data['key'] ?? '',
          Number(input.count?.replace(/\D/g, '')),
        ]),
    ),
  checked: async (page: Page) =>
    (await all(page, '#facets input:checked')).map((input) => input.data['key']),
};

/** Waits until the page has rendered the search its URL asks for. */
async function settled(page: Page, urlHas = ''): Promise<void> {
  await page.waitForFunction(
    `location.search.includes(${JSON.stringify(urlHas)}) &&
      !document.querySelector('main').hasAttribute('aria-busy') &&
      document.querySelector('#count').dataset.total !== undefined`,
    { timeout: 20_000 },
  );
}

/** The API's first query word that names the most published products of the seed. */
function commonWord(): string {
  const counts = new Map<string, number>();
  for (let i = 0; i < PRODUCTS; i++) {
    const p = generateProduct(SEED, i);
    if (p.status !== 'published') continue;
    const word = p.name.split(' ').at(-1)!.toLowerCase();
    counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1])[0]![0];
}

/** A jacket with variants: black-M (none in stock), black-XL, grey-M; grey-XL does not exist. */
function jacketWithVariants(categoryId: string) {
  const variant = (color: string, size: string, amountMinor: number, stock: number) => ({
    sku: `STORMVEIL-${color}-${size}`.toUpperCase(),
    options: { color, size },
    price: { amountMinor, currency: 'EUR' },
    ...(stock > 0 ? { stock: { 'ams-1': stock } } : {}),
  });
  return {
    sku: 'STORMVEIL',
    name: 'Northpeak Stormveil Shell Jacket',
    description: 'A waterproof shell jacket with taped seams and a hood that fits over a helmet.',
    brand: 'Northpeak',
    categoryId,
    attributes: { material: 'recycled nylon' },
    status: 'published',
    options: ['color', 'size'],
    variants: [
      variant('black', 'M', 11_900, 0),
      variant('black', 'XL', 12_900, 5),
      variant('grey', 'M', 12_400, 3),
    ],
  };
}

t.test(
  'The storefront at GET /, in headless Chromium, shows what the public API answers',
  { skip: chromiumPath === undefined ? NO_CHROMIUM : false },
  async (t) => {
    const started = Date.now();
    const phase = (what: string) => t.comment(`${what} after ${Date.now() - started} ms`);
    // Chromium starts while the catalog is seeded and indexed.
    const launching = launchChromium(t, chromiumPath!);
    const pipeline = await startPipeline(t);
    phase('pipeline started');
    const report = await seedCatalog(
      {
        baseUrl: await listen(pipeline.write.app),
        token: ADMIN_TOKEN,
        products: PRODUCTS,
        seed: SEED,
        publishedRatio: 0.9,
      },
      { output: { line: () => undefined, progress: () => undefined } },
    );
    t.equal(report.state, 'completed', 'the demo catalog is seeded');
    phase(`seeded (${JSON.stringify(report.phasesMs)})`);
    const tricky = await pipeline.write.admin({
      method: 'POST',
      url: '/admin/v1/products',
      payload: {
        sku: 'TRICKY-1',
        name: TRICKY_NAME,
        description: 'A lamp whose name looks like markup.',
        brand: 'Lumen',
        price: { amountMinor: 4550, currency: 'EUR' },
        status: 'published',
      },
    });
    t.equal(tricky.statusCode, 201);
    const jackets = seedLeaves().find((leaf) => leaf.path.endsWith('/jackets'));
    t.ok(jackets, 'the demo vocabulary has a jackets category');
    const jacket = await pipeline.write.admin({
      method: 'POST',
      url: '/admin/v1/products',
      payload: jacketWithVariants(jackets!.id),
    });
    t.equal(jacket.statusCode, 201, jacket.body);
    let published = 2;
    for (let i = 0; i < PRODUCTS; i++) {
      if (generateProduct(SEED, i).status === 'published') published++;
    }

    const read = await startReadSide(t, pipeline);
    const origin = await listen(read.app);
    const api = async <T>(path: string): Promise<T> => {
      const response = await fetch(`${origin}${path}`);
      if (response.status !== 200)
        throw new Error(`${path}: ${response.status} ${await response.text()}`);
      return (await response.json()) as T;
    };
    await waitFor(
      'search to hold every published product',
      async () => {
        const r = await api<SearchAnswer>('/v1/search?size=1&facets=none');
        return r.total === published ? r : undefined;
      },
      30_000,
    );

    phase('indexed');
    const browser = await launching;
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 900 });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    await offlineExcept(page, origin);
    mkdirSync(SCREENSHOTS, { recursive: true });

    await t.test('browse: the page lists what /v1/search lists', async (t) => {
      await page.goto(`${origin}/`);
      await settled(page);
      const browse = await api<SearchAnswer>(`/v1/search?size=${SIZE}`);
      t.equal(await shown.total(page), browse.total);
      t.same(
        await shown.ids(page),
        browse.items.map((i) => i.id),
      );
      t.same(await shown.facets(page), facetCounts(browse.facets), 'every facet count');
    });

    const word = commonWord();
    await t.test('suggestions as you type, keyboard navigable', async (t) => {
      const expected = await api<{ suggestions: { name: string; highlight: string }[] }>(
        `/v1/suggest?q=${word}&size=8`,
      );
      t.ok(expected.suggestions.length > 1, `suggestions for "${word}"`);
      await page.click('#q');
      await page.type('#q', word, { delay: 30 });
      const names = expected.suggestions.map((s) => s.name);
      const options = async () =>
        (await all(page, '#suggestions [role=option]')).map((o) => o.text);
      await waitFor('the suggestions for the whole word', async () =>
        JSON.stringify(await options()) === JSON.stringify(names) ? true : undefined,
      ).catch(async (error: Error) => t.same(await options(), names, error.message));
      t.same(
        (await one(page, '#suggestions [role=option]')).marks,
        emphasized(expected.suggestions[0]!.highlight),
        'matched words are marked',
      );
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowDown');
      t.equal((await one(page, '#q')).attr['aria-activedescendant'], 'suggestion-1');
      t.equal((await one(page, '#suggestion-1')).attr['aria-selected'], 'true');
      await page.keyboard.press('Escape');
      t.equal((await one(page, '#suggestions')).hidden, true, 'Escape closes the list');
      await page.keyboard.press('Enter');
      await settled(page, `q=${word}`);
    });

    const query = `q=${encodeURIComponent(word)}&size=${SIZE}`;
    const brandParam = (...brands: string[]) =>
      brands.map((b) => `&brand=${encodeURIComponent(b)}`).join('');
    let unfiltered: SearchAnswer;
    await t.test('results with highlighting, and the counts of /v1/search', async (t) => {
      unfiltered = await api<SearchAnswer>(`/v1/search?${query}`);
      t.equal(await shown.total(page), unfiltered.total);
      t.same(
        await shown.ids(page),
        unfiltered.items.map((i) => i.id),
      );
      t.same(await shown.facets(page), facetCounts(unfiltered.facets), 'every facet count');
      const first = unfiltered.items[0]!;
      const name = await one(page, '#results .card .card-name');
      t.same(
        { text: name.text, marks: name.marks },
        { text: first.name, marks: emphasized(first.highlight.name) },
      );
      t.ok(name.marks.length > 0, 'the word is highlighted in the name');
    });

    await t.test('facets: disjunctive brands, counts equal to the API', async (t) => {
      const [a, b] = unfiltered.facets.brand;
      await page.click(`#facets input[data-key="brand=${a!.value}"]`);
      await settled(page, 'brand=');
      const single = await api<SearchAnswer>(`/v1/search?${query}${brandParam(a!.value)}`);
      t.equal(
        await page.evaluate('document.activeElement.dataset.key'),
        `brand=${a!.value}`,
        'the ticked box keeps the focus across the re-render',
      );
      t.equal(await shown.total(page), a!.count, 'the brand count became the total');
      t.equal(single.total, a!.count);
      t.same(
        await shown.ids(page),
        single.items.map((i) => i.id),
      );
      t.same(await shown.facets(page), facetCounts(single.facets), 'every facet count');

      await page.click(`#facets input[data-key="brand=${b!.value}"]`);
      await settled(page, new URLSearchParams({ brand: b!.value }).toString());
      const both = await api<SearchAnswer>(`/v1/search?${query}${brandParam(a!.value, b!.value)}`);
      t.equal(await shown.total(page), a!.count + b!.count, 'either brand');
      t.equal(both.total, a!.count + b!.count);
      t.same(
        await shown.ids(page),
        both.items.map((i) => i.id),
      );
      t.same(await shown.facets(page), facetCounts(both.facets), 'every facet count');
      await page.screenshot({ path: join(SCREENSHOTS, 'storefront-search.png') });

      await page.reload();
      await settled(page, 'brand=');
      t.equal(await shown.total(page), both.total, 'a reload restores the search from the URL');
      t.same(
        await shown.checked(page),
        ['category=', `brand=${a!.value}`, `brand=${b!.value}`, 'price=any'],
        'and the ticked facets',
      );
      t.equal((await one(page, '#q')).value, word);

      await page.select('#sort', 'price_asc');
      await settled(page, 'sort=price_asc');
      const sorted = await api<SearchAnswer>(
        `/v1/search?${query}${brandParam(a!.value, b!.value)}&sort=price_asc`,
      );
      t.same(
        await shown.ids(page),
        sorted.items.map((i) => i.id),
        'sorted by price',
      );
    });

    await t.test('a product page shows the detail of /v1/products/:id', async (t) => {
      const id = (await one(page, '#results .card')).data['id']!;
      await page.click('#results .card .card-link');
      const detail = await api<Detail>(`/v1/products/${id}`);
      await page.waitForFunction(
        `document.querySelector('#product-name')?.textContent === ${JSON.stringify(detail.name)}`,
        { timeout: 20_000 },
      );
      t.match(page.url(), `#/product/${id}`);
      const price = await one(page, '#price');
      t.same(
        {
          text: price.text,
          amountMinor: Number(price.data['amountMinor']),
          currency: price.data['currency'],
        },
        { text: euros(detail.price!), ...detail.price },
      );
      t.match(
        (await one(page, '#availability')).text,
        detail.availability.inStock ? /^In stock · / : /^Out of stock/,
      );
      t.same(await all(page, '.option'), [], 'no variant pickers');
      await page.screenshot({ path: join(SCREENSHOTS, 'storefront-product.png') });

      await page.click('.back');
      await settled(page, 'sort=price_asc');
      t.equal((await one(page, '#product-view')).hidden, true, 'back to the results');
    });

    await t.test('paging goes past the numbered pages with nextCursor', async (t) => {
      const deepest = Math.floor(1000 / SIZE);
      await page.goto(`${origin}/?page=${deepest}`);
      await settled(page, `page=${deepest}`);
      const numbered = await api<SearchAnswer>(`/v1/search?size=${SIZE}&page=${deepest}`);
      t.same(
        await shown.ids(page),
        numbered.items.map((i) => i.id),
      );
      t.ok(numbered.nextCursor, 'more results than numbered pages reach');
      const next = (await one(page, '#pager a[rel=next]')).attr['href']!;
      t.equal(new URLSearchParams(next.slice(2)).get('cursor'), numbered.nextCursor);
      await page.click('#pager a[rel=next]');
      await settled(page, 'cursor=');
      const deeper = await api<SearchAnswer>(
        `/v1/search?size=${SIZE}&cursor=${encodeURIComponent(numbered.nextCursor!)}`,
      );
      t.same(
        await shown.ids(page),
        deeper.items.map((i) => i.id),
      );
      t.equal((await one(page, '#pager [aria-current=page]')).text, `Page ${deepest + 1}`);
      await page.click('#pager button');
      await settled(page, `page=${deepest}`);
      t.same(
        await shown.ids(page),
        numbered.items.map((i) => i.id),
        'Previous goes back',
      );
    });

    await t.test('names are text, never markup', async (t) => {
      await page.goto(`${origin}/?q=sneaky`);
      await settled(page, 'q=sneaky');
      const card = await one(page, '#results .card .card-name');
      t.equal(card.text, TRICKY_NAME);
      t.notOk(card.inside.includes('b'), 'no <b> element');
    });

    await t.test('a product with variants: search, pickers, the chosen variant', async (t) => {
      const { id, version } = jacket.json<{ id: string; version: number }>();
      const detail = await waitFor('the jacket in the detail read model', () =>
        api<Detail & { variants: { id: string; options: Record<string, string> }[] }>(
          `/v1/products/${id}?minVersion=${version}`,
        ),
      );
      const variantId = (color: string, size: string) =>
        detail.variants.find((v) => v.options['color'] === color && v.options['size'] === size)!.id;

      await page.goto(`${origin}/?q=stormveil`);
      await settled(page, 'q=stormveil');
      const card = await one(page, '#results .card');
      t.match(card.text, 'from €119.00', 'the card shows the lowest variant price');
      t.match(card.text, '3 options');

      await page.goto(`${origin}/?q=stormveil&attr.color=grey`);
      await settled(page, 'attr.color=grey');
      t.equal(
        (await one(page, '#results .card-link')).attr['href'],
        `#/product/${id}?variant=${variantId('grey', 'M')}`,
        'a filter on an option links the variant that matches it',
      );
      await page.click('#results .card-link');
      await page.waitForSelector('.option');
      const buyBox = async () => ({
        price: (await one(page, '#price')).text,
        stock: (await one(page, '#availability')).text,
        chosen: (await all(page, '.option legend strong')).map((s) => s.text),
        disabled: (await all(page, '.option input:disabled')).map((i) => i.data['key']),
        soldOut: (await all(page, '.sold-out input')).map((i) => i.data['key']),
      });
      t.same(
        await buyBox(),
        {
          price: '€124.00',
          stock: 'In stock',
          chosen: ['grey', 'M'],
          disabled: ['option-1=XL'],
          soldOut: [],
        },
        'grey M; grey has no XL, so XL cannot be chosen',
      );
      t.equal((await one(page, '.range')).text, '€119.00 – €129.00 across 3 variants');
      await page.screenshot({ path: join(SCREENSHOTS, 'storefront-variants.png') });

      await page.click('input[data-key="option-0=black"]');
      t.same(
        await buyBox(),
        {
          price: '€119.00',
          stock: 'Out of stock',
          chosen: ['black', 'M'],
          disabled: [],
          soldOut: ['option-1=M'],
        },
        'black keeps M, which is sold out',
      );
      await page.click('input[data-key="option-1=XL"]');
      t.same((await buyBox()).price, '€129.00');
      t.match(page.url(), `#/product/${id}?variant=${variantId('black', 'XL')}`);
      await page.reload();
      await page.waitForSelector('.option');
      t.same((await buyBox()).chosen, ['black', 'XL'], 'the chosen variant is in the URL');

      await page.goto(`${origin}/#/product/${id}`);
      await page.waitForSelector('.option');
      t.same((await buyBox()).chosen, ['black', 'XL'], 'without one, the first in stock');
    });

    t.same(errors, [], 'no script errors on the page');
    phase('done');
  },
);

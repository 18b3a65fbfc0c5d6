import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import t from 'tap';
import {
  ADMIN_TOKEN,
  writeHarness,
  type WriteHarness,
} from '../../../test/support/catalog-write.js';
import { memoryOutput } from '../../../shared/cli/output.js';
import { isDuplicate, ndjsonChunks, seedCatalog } from '../../../shared/write-model/seed/seed.js';
import { parseSeedArgs, printSummary } from './seed.js';
import {
  generateProduct,
  generateProducts,
  PRICE_MAX_MINOR,
  PRICE_MIN_MINOR,
  productId,
  seedCategories,
  seedLeaves,
  uuidV5,
} from '../../../shared/write-model/seed/seed-data.js';
import {
  DEFAULT_VARIANT_SHARE,
  generateCatalogProduct,
  hasVariants,
} from '../../../shared/write-model/seed/seed-variants.js';

const SEED = 7;
const PRODUCTS = 200;

/** Collects what the progress bars draw. */
function sink(): Writable & { text(): string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return Object.assign(stream, { text: () => chunks.join('') });
}

async function listening(h: WriteHarness): Promise<string> {
  await h.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = h.app.server.address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

async function count(h: WriteHarness, sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await h.pool.query<{ n: string }>(sql, params);
  return Number(rows[0]?.n);
}

t.test('The generators are pure and deterministic', async (t) => {
  t.equal(
    uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8'),
    '2ed6657d-e927-568b-95e1-2665a8aea6a2',
    'RFC 9562 test vector',
  );
  t.same(generateProduct(SEED, 0), generateProduct(SEED, 0), 'same seed, same product');
  t.same([...generateProducts(SEED, 3, { from: 5 })][1], generateProduct(SEED, 6), 'random access');
  t.not(generateProduct(SEED, 0).name + generateProduct(SEED, 1).name, '', 'has names');
  t.notSame(
    generateProduct(SEED, 0),
    generateProduct(SEED + 1, 0),
    'another seed, another product',
  );
  const a = generateProduct(SEED, 3, { publishedRatio: 0 });
  const b = generateProduct(SEED, 3, { publishedRatio: 1 });
  t.equal(a.status, 'draft');
  t.equal(b.status, 'published');
  t.ok(b.price, 'a published product has a price');
  t.same(
    { ...a, status: 'x', price: null },
    { ...b, status: 'x', price: null },
    'the ratio changes only status (and price)',
  );
  t.equal(productId(SEED, 3), a.id);

  const categories = seedCategories();
  t.equal(new Set(categories.map((c) => c.id)).size, categories.length, 'category ids are unique');
  const index = new Map(categories.map((c, i) => [c.id, i]));
  for (const c of categories) {
    if (c.parentId !== null)
      t.ok((index.get(c.parentId) ?? Infinity) < (index.get(c.id) ?? 0), `${c.path}: parent first`);
  }
  t.ok(categories.filter((c) => c.depth === 1).length >= 5, 'several roots');
  t.ok(seedLeaves().every((l) => l.depth === 3));

  // Lazy: the first chunk exists before the rest is generated.
  let lines = 0;
  const chunks = ndjsonChunks(SEED, 1_000_000, {}, (n) => (lines += n));
  const first = chunks.next();
  t.notOk(first.done);
  t.ok(lines > 0 && lines < 1000, `one chunk holds ${lines} lines, not a million`);
  t.same(JSON.parse(first.value?.toString().split('\n')[0] ?? ''), generateProduct(SEED, 0));
  void chunks.return();

  t.ok(isDuplicate('sku: SKU "DEMO-7-0000001" is taken by another product'));
  t.ok(isDuplicate(`id: a product with id ${a.id} exists`));
  t.notOk(isDuplicate('categoryId: no category 1234'));
});

t.test('The arguments are checked', async (t) => {
  const defaults = { baseUrl: 'http://127.0.0.1:3001', token: 'a-token-of-some-length' };
  t.match(parseSeedArgs(['--products', '10'], defaults), {
    products: 10,
    seed: 42,
    publishedRatio: 0.9,
    baseUrl: 'http://127.0.0.1:3001',
  });
  t.match(
    parseSeedArgs(
      ['--products', '5', '--seed', '9', '--published-ratio', '0.5', '--url', 'http://x:1'],
      defaults,
    ),
    { products: 5, seed: 9, publishedRatio: 0.5, baseUrl: 'http://x:1' },
  );
  t.throws(() => parseSeedArgs([], defaults), /--products/);
  t.throws(() => parseSeedArgs(['--products', '0'], defaults), /positive integer/);
  t.throws(() => parseSeedArgs(['--products', '3', '--seed', '-1'], defaults), /--seed/);
  t.throws(() => parseSeedArgs(['--products', '3', '--published-ratio', '1.5'], defaults), /ratio/);
  t.equal(parseSeedArgs(['--products', '3'], defaults).variantShare, DEFAULT_VARIANT_SHARE);
  t.equal(parseSeedArgs(['--products', '3', '--variant-share', '0.5'], defaults).variantShare, 0.5);
  t.throws(() => parseSeedArgs(['--products', '3', '--variant-share', '2'], defaults), /share/);
  t.throws(() => parseSeedArgs(['--products', '3', '--variant-share', ''], defaults), /share/);
  t.throws(() => parseSeedArgs(['--products', '3', '--bogus'], defaults));
  t.throws(
    () => parseSeedArgs(['--products', '3'], { ...defaults, token: undefined }),
    /ADMIN_TOKENS/,
  );
});

t.test(
  'When seeding 200 products through the API, then all are accepted in a three-level tree with sane spreads, and a re-run adds nothing',
  async (t) => {
    const h = await writeHarness(t);
    const baseUrl = await listening(h);
    const options = {
      baseUrl,
      token: ADMIN_TOKEN,
      products: PRODUCTS,
      seed: SEED,
      publishedRatio: 0.9,
    };
    const progress = sink();
    const output = memoryOutput();

    const report = await seedCatalog(options, {
      output,
      progressStream: progress,
      pollIntervalMs: 50,
    });
    t.equal(report.state, 'completed');
    t.equal(report.accepted, PRODUCTS);
    t.equal(report.rejected, 0);
    t.equal(report.sent.lines, PRODUCTS);
    t.equal(report.categories.created, seedCategories().length);
    t.equal(report.categories.levels, 3);
    t.match(progress.text(), /categories: \d+ created/);
    t.match(progress.text(), /sending: sent/);
    t.match(progress.text(), /importing: 200 accepted, 0 rejected/);
    printSummary(report, output);
    t.match(output.text(), /200 accepted, 0 rejected/);
    t.match(output.text(), /products\/s/);

    t.test('the categories form a tree three levels deep, products only on leaves', async (t) => {
      t.equal(await count(h, 'SELECT count(*) AS n FROM categories'), seedCategories().length);
      const depth = await count(
        h,
        `WITH RECURSIVE tree AS (
           SELECT id, 1 AS depth FROM categories WHERE parent_id IS NULL
           UNION ALL SELECT c.id, tree.depth + 1 FROM categories c JOIN tree ON c.parent_id = tree.id)
         SELECT max(depth) AS n FROM tree`,
      );
      t.equal(depth, 3);
      t.equal(
        await count(
          h,
          `SELECT count(*) AS n FROM products p
            WHERE p.category_id IS NULL
               OR EXISTS (SELECT 1 FROM categories c WHERE c.parent_id = p.category_id)`,
        ),
        0,
        'every product sits on a leaf',
      );
      // The parent chain through the API, from the leaf of the first product.
      let id: string | null = generateProduct(SEED, 0).categoryId;
      const chain: string[] = [];
      while (id !== null) {
        const res = await h.admin({ method: 'GET', url: `/admin/v1/categories/${id}` });
        t.equal(res.statusCode, 200);
        const category = res.json<{ slug: string; parentId: string | null }>();
        chain.unshift(category.slug);
        id = category.parentId;
      }
      t.equal(chain.length, 3, `chain ${chain.join(' > ')}`);
    });

    t.test('brands, prices, stock, attributes and status are spread sensibly', async (t) => {
      t.equal(await count(h, 'SELECT count(*) AS n FROM products'), PRODUCTS);
      t.ok(
        (await count(h, 'SELECT count(DISTINCT brand) AS n FROM products')) >= 5,
        'at least 5 brands',
      );
      t.ok(
        (await count(h, 'SELECT count(DISTINCT category_id) AS n FROM products')) >= 20,
        'many leaves used',
      );
      const { rows: prices } = await h.pool.query<{ min: string; max: string; distinct: string }>(
        'SELECT min(amount_minor) AS min, max(amount_minor) AS max, count(DISTINCT amount_minor) AS distinct FROM product_prices',
      );
      t.ok(Number(prices[0]?.min) >= PRICE_MIN_MINOR, `min price ${prices[0]?.min}`);
      t.ok(Number(prices[0]?.max) <= PRICE_MAX_MINOR, `max price ${prices[0]?.max}`);
      t.ok(Number(prices[0]?.distinct) >= 20, 'prices vary');
      const outOfStock = await count(
        h,
        `SELECT count(*) AS n FROM products p
          WHERE (SELECT coalesce(sum(on_hand), 0) FROM stock_levels s WHERE s.product_id = p.id) = 0`,
      );
      t.ok(outOfStock > 0 && outOfStock < PRODUCTS / 2, `${outOfStock} out of stock`);
      t.ok(
        (await count(h, 'SELECT count(DISTINCT warehouse) AS n FROM stock_levels')) >= 3,
        'warehouses',
      );
      const published = await count(
        h,
        `SELECT count(*) AS n FROM products WHERE status = 'published'`,
      );
      t.ok(published >= 160 && published < PRODUCTS, `${published} of ${PRODUCTS} published`);
      t.equal(
        await count(
          h,
          `SELECT count(*) AS n FROM products p WHERE status = 'published'
            AND NOT EXISTS (SELECT 1 FROM product_prices pr WHERE pr.product_id = p.id)`,
        ),
        0,
        'every published product has a price',
      );
      const { rows: kinds } = await h.pool.query<{ name: string; kind: string; products: string }>(
        `SELECT name, kind, count(DISTINCT product_id) AS products FROM product_attributes
          GROUP BY name, kind ORDER BY name`,
      );
      t.same(
        kinds.map((k) => [k.name, k.kind, Number(k.products)]),
        [
          ['color', 'text', PRODUCTS],
          ['material', 'text', PRODUCTS],
          ['size', 'list', PRODUCTS],
          ['weight_g', 'number', PRODUCTS],
        ],
      );
      t.ok(
        (await count(
          h,
          `SELECT count(DISTINCT text_value) AS n FROM product_attributes WHERE name = 'color'`,
        )) >= 8,
      );
    });

    t.test('the first product is stored exactly as generated', async (t) => {
      const expected = generateProduct(SEED, 0);
      const res = await h.admin({ method: 'GET', url: `/admin/v1/products/${expected.id}` });
      t.equal(res.statusCode, 200);
      const stored = res.json();
      t.match(stored, {
        id: expected.id,
        sku: expected.sku,
        name: expected.name,
        description: expected.description,
        brand: expected.brand,
        categoryId: expected.categoryId,
        attributes: expected.attributes,
        images: expected.images,
        status: expected.status,
        price: expected.price ?? null,
      });
      t.same(stored.stock.byWarehouse, expected.stock);
      t.ok(expected.description.split('. ').length >= 3, 'several sentences');
    });

    t.test('a re-run with the same seed adds nothing and says why', async (t) => {
      const again = memoryOutput();
      const rerun = await seedCatalog(options, {
        output: again,
        progressStream: sink(),
        pollIntervalMs: 50,
      });
      t.equal(rerun.state, 'completed');
      t.equal(rerun.accepted, 0);
      t.equal(rerun.rejected, PRODUCTS);
      t.equal(rerun.duplicates, PRODUCTS);
      t.same(rerun.otherRejections, []);
      t.equal(rerun.categories.created, 0);
      t.equal(rerun.categories.existing, seedCategories().length);
      printSummary(rerun, again);
      t.match(again.text(), /all 200 rejected lines are products seed 7 created before/);
      t.equal(await count(h, 'SELECT count(*) AS n FROM products'), PRODUCTS);
      t.equal(await count(h, 'SELECT count(*) AS n FROM categories'), seedCategories().length);
    });

    t.test(
      'categories already there without their idempotency keys are recognised by id',
      async (t) => {
        await h.pool.query('DELETE FROM idempotency_keys');
        const rerun = await seedCatalog(
          { ...options, products: 1 },
          { output: memoryOutput(), progressStream: sink(), pollIntervalMs: 50 },
        );
        t.equal(rerun.categories.existing, seedCategories().length);
        t.equal(rerun.rejected, 1);
      },
    );
  },
);

t.test(
  'When categories seed did not create hold its slugs, then seed leaves them alone, creates its own under namespaced slugs, and a re-run reuses them',
  async (t) => {
    const h = await writeHarness(t);
    const baseUrl = await listening(h);
    const roots = seedCategories().filter((c) => c.depth === 1);
    const [taken, ours] = roots;
    const child = seedCategories().find((c) => c.parentId === ours?.id);
    if (taken === undefined || ours === undefined || child === undefined) {
      throw new Error('the vocabulary has two roots with children');
    }
    const create = async (body: Record<string, unknown>): Promise<string> => {
      const res = await h.admin({ method: 'POST', url: '/admin/v1/categories', payload: body });
      t.equal(res.statusCode, 201, `created ${JSON.stringify(body)}`);
      return res.json<{ id: string }>().id;
    };
    // Someone else's root holds the first root's slug, and its first namespaced form too.
    const theirs = [
      await create({ slug: taken.slug, name: 'Not the demo' }),
      await create({ slug: `${taken.slug}-demo`, name: 'Not the demo either' }),
    ];
    // An earlier, interrupted seed run made the second root; then someone put a category of their
    // own under it with the slug seed gives one of its children.
    await create({ id: ours.id, slug: ours.slug, name: ours.name });
    theirs.push(await create({ slug: child.slug, name: 'Mine', parentId: ours.id }));

    const output = memoryOutput();
    const progress = sink();
    const report = await seedCatalog(
      { baseUrl, token: ADMIN_TOKEN, products: 50, seed: SEED, publishedRatio: 0.9 },
      { output, progressStream: progress, pollIntervalMs: 50 },
    );
    const total = seedCategories().length;
    t.equal(report.state, 'completed');
    t.equal(report.accepted, 50, 'every product found its leaf, namespaced or not');
    t.equal(report.rejected, 0);
    t.equal(report.categories.created, total - 1);
    t.equal(report.categories.existing, 1, 'the root of the earlier run is reused');
    t.same(
      report.categories.namespaced,
      [
        { path: taken.path, slug: `${taken.slug}-demo-2` },
        { path: child.path, slug: `${child.slug}-demo` },
      ].sort((a, b) => (a.path < b.path ? -1 : 1)),
    );
    t.match(progress.text(), /categories: \d+ created, 1 already there, 2 namespaced/);
    printSummary(report, output);
    t.match(output.text(), /namespaced {2}2 whose slug a category seed did not create holds: /);
    t.match(output.text(), `${taken.path} as ${taken.slug}-demo-2`);

    for (const id of theirs) {
      const res = await h.admin({ method: 'GET', url: `/admin/v1/categories/${id}` });
      t.match(res.json(), { id, version: 1 }, 'their category is untouched');
    }
    const root = await h.admin({ method: 'GET', url: `/admin/v1/categories/${taken.id}` });
    t.match(root.json(), { slug: `${taken.slug}-demo-2`, parentId: null, name: taken.name });
    t.equal(await count(h, 'SELECT count(*) AS n FROM categories'), total + theirs.length);

    const rerun = await seedCatalog(
      { baseUrl, token: ADMIN_TOKEN, products: 1, seed: SEED + 1, publishedRatio: 0.9 },
      { output: memoryOutput(), progressStream: sink(), pollIntervalMs: 50 },
    );
    t.equal(rerun.categories.created, 0);
    t.equal(rerun.categories.existing, total, 'a re-run reuses every category, namespaced too');
    t.same(rerun.categories.namespaced, report.categories.namespaced);
    t.equal(rerun.accepted, 1);
    t.equal(await count(h, 'SELECT count(*) AS n FROM categories'), total + theirs.length);
  },
);

t.test(
  'When seeding with a variant share, then about that share sells through variants, stored as generated',
  async (t) => {
    const h = await writeHarness(t);
    const baseUrl = await listening(h);
    const options = {
      baseUrl,
      token: ADMIN_TOKEN,
      products: 60,
      seed: SEED,
      publishedRatio: 0.9,
      variantShare: 0.5,
    };
    const output = memoryOutput();
    const report = await seedCatalog(options, {
      output,
      progressStream: sink(),
      pollIntervalMs: 50,
    });
    t.match(report, { state: 'completed', accepted: 60, rejected: 0 });
    const generated = Array.from({ length: 60 }, (_, i) =>
      generateCatalogProduct(SEED, i, { variantShare: 0.5 }),
    );
    const withVariants = generated.filter(hasVariants);
    t.ok(withVariants.length >= 20 && withVariants.length <= 40, `${withVariants.length} of 60`);
    t.equal(report.sent.withVariants, withVariants.length);
    const variants = withVariants.reduce((n, p) => n + p.variants.length, 0);
    t.equal(report.sent.variants, variants);
    printSummary(report, output);
    t.match(output.text(), `${withVariants.length} products with ${variants} variants`);
    t.equal(await count(h, 'SELECT count(*) AS n FROM product_variants'), variants);
    t.equal(
      await count(h, 'SELECT count(DISTINCT product_id) AS n FROM product_variants'),
      withVariants.length,
    );
    t.equal(
      await count(
        h,
        `SELECT count(*) AS n FROM products p WHERE p.status = 'published'
          AND NOT EXISTS (SELECT 1 FROM product_prices pr WHERE pr.product_id = p.id)
          AND NOT EXISTS (SELECT 1 FROM product_variants v JOIN variant_prices vp
                                 ON vp.variant_id = v.id WHERE v.product_id = p.id)`,
      ),
      0,
      "every published product has a price, its own or a variant's",
    );
    const [expected] = withVariants;
    if (expected === undefined) throw new Error('no product with variants');
    const stored = await h.admin({ method: 'GET', url: `/admin/v1/products/${expected.id}` });
    t.match(stored.json(), {
      id: expected.id,
      attributes: expected.attributes,
      options: expected.options,
      price: null,
      stock: { available: 0, byWarehouse: {} },
    });
    t.same(
      stored
        .json<{ variants: { id: string; sku: string; options: object; price: unknown }[] }>()
        .variants.map((v) => [v.id, v.sku, v.options, v.price]),
      expected.variants.map((v) => [v.id, v.sku, v.options, v.price ?? null]),
    );
    const rerun = await seedCatalog(options, {
      output: memoryOutput(),
      progressStream: sink(),
      pollIntervalMs: 50,
    });
    t.match(rerun, { accepted: 0, rejected: 60, duplicates: 60 }, 'a re-run adds nothing');
  },
);

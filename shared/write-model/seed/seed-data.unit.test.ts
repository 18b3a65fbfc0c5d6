/**
 * Pins the demo catalog: the same seed must give byte-for-byte the same products and categories
 * whatever shape the vocabulary is stored in, because benches and operators rely on re-running a
 * seed (ids and SKUs collide on purpose, bench:read rebuilds the catalog on the client side).
 * The hashes were taken from the generator before its vocabulary moved out of TypeScript.
 */
import { createHash } from 'node:crypto';
import t from 'tap';
import {
  generateProduct,
  namespacedSlugs,
  seedBrands,
  seedCategories,
  seedLeaves,
  type ProductOptions,
} from './seed-data.js';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The NDJSON of products 0..count-1, hashed (the exact bytes the import would receive). */
function firstProductsHash(seed: number, count: number, options: ProductOptions = {}): string {
  const hash = createHash('sha256');
  for (let index = 0; index < count; index++) {
    hash.update(`${JSON.stringify(generateProduct(seed, index, options))}\n`);
  }
  return hash.digest('hex');
}

t.test('the first products of fixed seeds are exactly the pinned ones', async (t) => {
  t.equal(
    firstProductsHash(42, 2000),
    '0e6bb3f96a8c775fdbd4704a3bbf1cfd1a6aac611b953d54e26f6e791a27b2db',
    'seed 42, products 0-1999',
  );
  t.equal(
    firstProductsHash(7, 500),
    '2096a6e23159af5b5d3863edb647409c5e023ef56800a792df727d169a64f98c',
    'seed 7, products 0-499',
  );
  t.equal(
    firstProductsHash(0, 300, { publishedRatio: 0.5 }),
    'c4fdec0a76b4d15640343398b37d54bdd16f8d820d624482993c5866be910cb4',
    'seed 0, products 0-299, half published',
  );
  t.equal(
    firstProductsHash(0xffff_ffff, 100),
    '3168e3ffe67310f58dc77b0050d581b92e5f81944193e9158dd91c70c2506906',
    'the largest seed, products 0-99',
  );
});

t.test('one published and one draft product, field by field', async (t) => {
  t.same(generateProduct(42, 0), {
    id: 'a940f0a4-b5ce-5bcb-ac2a-d3ed07b987d6',
    sku: 'DEMO-42-0000000',
    name: 'Lumen Labs Portable Polycarbonate Smart Plug',
    description:
      'A portable smart plug from Lumen Labs, made from polycarbonate and finished in space grey. It measures energy use, so you see what each device costs. Works with Android, iOS, Windows and macOS. The polycarbonate housing is light but sturdy. Bluetooth 5.3 pairs in seconds and stays connected. Perfect for a smart home. Recycle it through an electronics take-back scheme at the end of its life.',
    brand: 'Lumen Labs',
    categoryId: '6ac709cc-10b9-5387-9e64-e8b473667a0e',
    attributes: {
      color: 'space grey',
      size: ['One size'],
      material: 'polycarbonate',
      weight_g: 280,
    },
    images: [1, 2, 3, 4].map(
      (i) => `https://cdn.example.com/aisle/demo/smart-plugs/demo-42-0000000-${i}.jpg`,
    ),
    price: { amountMinor: 1399, currency: 'EUR' },
    status: 'published',
    stock: { 'ams-1': 124, 'ber-1': 297 },
  });
  t.same(generateProduct(42, 12345, { publishedRatio: 0 }), {
    id: '79c0a992-9630-52c6-bd40-0ad104cfb811',
    sku: 'DEMO-42-0012345',
    name: 'Pixelwave Portable Recycled Plastic Smart Plug',
    description:
      'A portable smart plug from Pixelwave, made from recycled plastic and finished in rose gold. Schedules and timers switch lamps and heaters on their own. The battery lasts all week on a single charge. Bluetooth 5.3 pairs in seconds and stays connected. A two-year warranty and a thirty-day return period are included. Ideal for the daily commute.',
    brand: 'Pixelwave',
    categoryId: '6ac709cc-10b9-5387-9e64-e8b473667a0e',
    attributes: {
      color: 'rose gold',
      size: ['One size'],
      material: 'recycled plastic',
      weight_g: 285,
    },
    images: [1, 2, 3].map(
      (i) => `https://cdn.example.com/aisle/demo/smart-plugs/demo-42-0012345-${i}.jpg`,
    ),
    status: 'draft',
    stock: { 'ber-1': 0 },
  });
});

t.test('the category tree and the brands are the pinned ones', async (t) => {
  const categories = seedCategories().map(({ id, slug, name, parentId, path, depth }) => ({
    id,
    slug,
    name,
    parentId,
    path,
    depth,
  }));
  t.equal(categories.length, 102);
  t.equal(
    sha256(JSON.stringify(categories)),
    'f13e9ec2aa000069c87362e6307f6b8ec65c25c2d3904156497e7f185e049966',
    'ids, slugs, names, parents, paths and depths, in order',
  );
  t.equal(seedLeaves().length, 72);
  t.equal(seedBrands().length, 41);
  t.equal(
    sha256(JSON.stringify(seedBrands())),
    'a97c7305583e4f61f8729a0a0e72fe503f8f81459089298f6f388169dd037547',
  );
});

t.test('a category whose slug someone else holds is tried under namespaced slugs', async (t) => {
  t.same(namespacedSlugs('shoes'), [
    'shoes-demo',
    'shoes-demo-2',
    'shoes-demo-3',
    'shoes-demo-4',
    'shoes-demo-5',
  ]);
  const long = `${'a'.repeat(58)}-bcdef`; // 64 characters, the slug limit
  t.same(namespacedSlugs(long).slice(0, 2), [`${'a'.repeat(58)}-demo`, `${'a'.repeat(57)}-demo-2`]);
  t.ok(
    namespacedSlugs(long).every(
      (slug) => slug.length <= 64 && /^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(slug),
    ),
    'every form fits the slug rules (no cut that leaves a double hyphen)',
  );
});

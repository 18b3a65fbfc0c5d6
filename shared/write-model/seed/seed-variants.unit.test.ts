/**
 * Pins the variants of the demo catalog the same way seed-data.unit.test.ts pins its products:
 * benches rebuild the catalog on the client side, so the same seed and share must give the same
 * bytes. The hashes below were taken when variants were added to the seed (share 0 is pinned by
 * the single-SKU hashes, unchanged).
 */
import { createHash } from 'node:crypto';
import t from 'tap';
import { createCommand } from '../products/create-body.js';
import { decideProduct } from '../products/decide.js';
import { generateProduct, seedLeaves } from './seed-data.js';
import {
  DEFAULT_VARIANT_SHARE,
  generateCatalogProduct,
  hasVariants,
  MAX_VARIANTS,
  MIN_VARIANTS,
  type CatalogOptions,
  type SeedCatalogProduct,
} from './seed-variants.js';

function catalogHash(seed: number, count: number, options: CatalogOptions): string {
  const hash = createHash('sha256');
  for (let index = 0; index < count; index++) {
    hash.update(`${JSON.stringify(generateCatalogProduct(seed, index, options))}\n`);
  }
  return hash.digest('hex');
}

const products = (seed: number, count: number, options: CatalogOptions): SeedCatalogProduct[] =>
  Array.from({ length: count }, (_, i) => generateCatalogProduct(seed, i, options));

t.test('With no variant share, the catalog is the single-SKU one, byte for byte', async (t) => {
  for (let index = 0; index < 300; index++) {
    const expected = JSON.stringify(generateProduct(42, index));
    if (JSON.stringify(generateCatalogProduct(42, index)) !== expected) {
      t.fail(`product ${index} differs`);
      return;
    }
  }
  t.pass('300 products identical');
  t.throws(() => generateCatalogProduct(42, 0, { variantShare: 1.5 }), RangeError);
});

t.test('the first products with variants of fixed seeds are exactly the pinned ones', async (t) => {
  t.equal(
    catalogHash(42, 2000, { variantShare: 0.5 }),
    'f69ead63d1b643061f33823e28b03ac0947ffa0b4200bdaab0185e685bf26743',
    'seed 42, products 0-1999, half with variants',
  );
  t.equal(
    catalogHash(7, 500, { variantShare: DEFAULT_VARIANT_SHARE }),
    '7095cccbc9e23076c1ca851dda7cca69de3b2461bb31f0efa4c60af91751a82e',
    'seed 7, products 0-499, the default share',
  );
});

t.test('one product with variants, field by field', async (t) => {
  const first = products(42, 50, { variantShare: 0.5 }).find(hasVariants);
  if (first === undefined) throw new Error('no product with variants');
  const { variants, ...product } = first;
  t.same(product, {
    id: '31af75ca-ab4d-5a8b-aa6b-2268398e7453',
    sku: 'DEMO-42-0000002',
    name: 'Northpeak Breathable Stretch Nylon Yoga Pants',
    description:
      'A breathable yoga pants from Northpeak, made from stretch nylon and finished in sky blue. A high waistband stays put through squats and sprints. The stretch nylon keeps its shape wash after wash. Flatlock seams sit comfortably against the skin. Ideal for weekend trips. Wash inside out with similar colours.',
    brand: 'Northpeak',
    categoryId: '27d6e816-56ba-5cf6-bd6a-bfd69a8fbbb1',
    attributes: { material: 'stretch nylon', weight_g: 165 },
    images: [1, 2].map(
      (i) => `https://cdn.example.com/aisle/demo/leggings/demo-42-0000002-${i}.jpg`,
    ),
    status: 'published',
    options: ['color', 'size'],
  });
  t.equal(variants.length, 15, '3 colors x 5 sizes');
  t.same(
    variants.map((v) => `${v.options['color']}/${v.options['size']}`),
    ['sky blue', 'olive', 'forest green'].flatMap((c) =>
      ['XS', 'S', 'M', 'L', 'XL'].map((s) => `${c}/${s}`),
    ),
    "the product's own color first, sizes in scale order",
  );
  t.same(variants[0], {
    id: 'bee937fc-7fa2-5713-84a5-a3015dd9ca70',
    sku: 'DEMO-42-0000002-01',
    options: { color: 'sky blue', size: 'XS' },
    price: { amountMinor: 6999, currency: 'EUR' },
    images: ['https://cdn.example.com/aisle/demo/leggings/demo-42-0000002-sky-blue.jpg'],
    stock: { 'ber-1': 1, 'mad-1': 2 },
  });
  t.same(variants[14], {
    id: 'c6828ddb-e3a5-55d9-be9e-d4c9fdd9b8c4',
    sku: 'DEMO-42-0000002-15',
    options: { color: 'forest green', size: 'XL' },
    price: { amountMinor: 7799, currency: 'EUR' },
    images: ['https://cdn.example.com/aisle/demo/leggings/demo-42-0000002-forest-green.jpg'],
    stock: { 'ber-1': 2, 'mad-1': 3 },
  });
});

t.test('About the share asked has 5 to 20 valid variants, realistic shapes', async (t) => {
  const all = products(42, 2000, { variantShare: 0.5 });
  const withVariants = all.filter(hasVariants);
  const share = withVariants.length / all.length;
  t.ok(share > 0.45 && share < 0.55, `share ${share}`);
  const defaultShare =
    products(7, 2000, { variantShare: DEFAULT_VARIANT_SHARE }).filter(hasVariants).length / 2000;
  t.ok(Math.abs(defaultShare - DEFAULT_VARIANT_SHARE) < 0.05, `default share ${defaultShare}`);

  const skus = new Set<string>();
  let duplicates = 0;
  for (const p of all) {
    for (const sku of [p.sku, ...(hasVariants(p) ? p.variants.map((v) => v.sku) : [])]) {
      if (skus.has(sku)) duplicates += 1;
      skus.add(sku);
    }
  }
  t.equal(duplicates, 0, 'every SKU, product or variant, is unique');

  const counts = withVariants.map((p) => p.variants.length);
  t.ok(Math.min(...counts) >= MIN_VARIANTS && Math.max(...counts) <= MAX_VARIANTS, 'variants');
  t.ok(new Set(counts).size > 8, 'counts spread over the range');
  const refusals: string[] = [];
  for (const p of withVariants) {
    try {
      const product = decideProduct(
        createCommand(p),
        undefined,
        '2026-01-01T00:00:00.000Z',
      ).product;
      if (product.status === 'published' && !product.variants.some((v) => v.price !== null))
        refusals.push(`${p.sku}: published without a priced variant`);
    } catch (error) {
      refusals.push(`${p.sku}: ${(error as Error).message}`);
    }
  }
  t.same(refusals, [], 'every product is a valid create body the rules accept');

  const leafOf = new Map(seedLeaves().map((l) => [l.id, l]));
  const shapes = new Map<string, Set<string>>();
  for (const p of withVariants) {
    const scale = leafOf.get(p.categoryId)?.spec.sizeScale ?? '?';
    shapes.set(scale, (shapes.get(scale) ?? new Set()).add(p.options.join('x')));
  }
  t.same(
    withVariants.filter((p) => p.options.some((name) => name in p.attributes)).map((p) => p.sku),
    [],
    'an option is never an attribute of its product too',
  );
  t.same([...(shapes.get('clothing') ?? [])], ['colorxsize'], 'clothing in colors x sizes');
  t.same([...(shapes.get('shoes') ?? [])], ['size'], 'shoes in sizes');
  t.same([...(shapes.get('oneSize') ?? [])], ['color'], 'one-size goods in colors');
  const rate = (scale: string) => {
    const inScale = all.filter((p) => leafOf.get(p.categoryId)?.spec.sizeScale === scale);
    return inScale.filter(hasVariants).length / inScale.length;
  };
  t.ok(rate('clothing') > rate('oneSize') * 2, 'apparel has variants far more often');
});

import t from 'tap';
import type { ProductSnapshot, VariantSnapshot } from '../../events/catalog-events.js';
import { renderProductDetail } from './document.js';

const base: ProductSnapshot = {
  id: '0b5f1c1e-2a3b-4c5d-8e9f-000000000001',
  sku: 'TEE',
  name: 'Tee',
  description: 'Cotton tee.',
  brand: 'Acme',
  categoryId: null,
  attributes: { material: 'cotton', fit: 'regular' },
  images: ['https://cdn.example.com/tee.jpg'],
  price: null,
  stock: { available: 0, byWarehouse: {} },
  status: 'published',
  createdAt: '2025-01-01T00:00:00.000Z',
  updatedAt: '2025-01-02T00:00:00.000Z',
  version: 7,
};

const variant = (
  id: string,
  options: Record<string, string>,
  amountMinor: number | null,
  available: number,
): VariantSnapshot => ({
  id,
  sku: `TEE-${id}`,
  options,
  attributes: {},
  images: [],
  price: amountMinor === null ? null : { amountMinor, currency: 'EUR' },
  stock: { available, byWarehouse: available > 0 ? { main: available } : {} },
});

const withVariants: ProductSnapshot = {
  ...base,
  options: ['color', 'size'],
  variants: [
    variant('v1', { color: 'black', size: 'M' }, 1999, 3),
    variant('v2', { size: 'XL', color: 'grey' }, 2499, 0),
    variant('v3', { color: 'black', size: 'XL' }, null, 0),
  ],
};

t.test('A product with variants: options in order, variants, price range', async (t) => {
  const detail = JSON.parse(renderProductDetail(withVariants)) as Record<string, unknown>;
  t.strictSame(Object.keys(detail), [
    'id',
    'sku',
    'name',
    'description',
    'brand',
    'categoryId',
    'attributes',
    'images',
    'price',
    'availability',
    'options',
    'variants',
    'priceRange',
    'updatedAt',
    'version',
  ]);
  t.strictSame(detail['options'], [
    { name: 'color', values: ['black', 'grey'] },
    { name: 'size', values: ['M', 'XL'] },
  ]);
  t.strictSame(detail['variants'], [
    {
      id: 'v1',
      sku: 'TEE-v1',
      options: { color: 'black', size: 'M' },
      price: { amountMinor: 1999, currency: 'EUR' },
      inStock: true,
      images: [],
    },
    {
      id: 'v2',
      sku: 'TEE-v2',
      options: { color: 'grey', size: 'XL' },
      price: { amountMinor: 2499, currency: 'EUR' },
      inStock: false,
      images: [],
    },
    {
      id: 'v3',
      sku: 'TEE-v3',
      options: { color: 'black', size: 'XL' },
      price: null,
      inStock: false,
      images: [],
    },
  ]);
  t.strictSame(detail['priceRange'], { min: 1999, max: 2499, currency: 'EUR' });
  t.strictSame(detail['price'], { amountMinor: 1999, currency: 'EUR' }, 'the "from" price');
  t.strictSame(detail['availability'], { inStock: true, available: 3 });
  t.strictSame(detail['attributes'], { fit: 'regular', material: 'cotton' });
});

t.test('A product without variants keeps its shape, with empty lists', async (t) => {
  const single = { ...base, price: { amountMinor: 1500, currency: 'EUR' } };
  const detail = JSON.parse(renderProductDetail(single)) as Record<string, unknown>;
  t.strictSame(detail['options'], []);
  t.strictSame(detail['variants'], []);
  t.strictSame(detail['priceRange'], { min: 1500, max: 1500, currency: 'EUR' });
  t.strictSame(detail['price'], { amountMinor: 1500, currency: 'EUR' });
  t.strictSame(detail['availability'], { inStock: false, available: 0 });
  t.equal(
    renderProductDetail(single),
    renderProductDetail({ ...single, options: [], variants: [] }),
    'an old snapshot without the variant fields renders like one with empty ones',
  );
  const unpriced = JSON.parse(renderProductDetail(base)) as Record<string, unknown>;
  t.equal(unpriced['priceRange'], null);
  t.equal(unpriced['price'], null);
});

/** The same value with every object's keys in reverse order (what jsonb may hand back). */
function reversedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversedKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([k, v]) => [k, reversedKeys(v)]),
  );
}

t.test('The same snapshot with its keys reordered renders the same bytes', async (t) => {
  const reordered = reversedKeys(withVariants) as ProductSnapshot;
  t.not(JSON.stringify(reordered), JSON.stringify(withVariants), 'the keys are reordered');
  t.equal(renderProductDetail(reordered), renderProductDetail(withVariants));
});

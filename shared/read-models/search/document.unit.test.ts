import t from 'tap';
import type { ProductSnapshot } from '../../events/catalog-events.js';
import {
  attributeEntries,
  facetToken,
  rangeToken,
  searchDocument,
  sortableNumber,
  splitFacetToken,
} from './document.js';

t.test('Attributes become flat tokens, range tokens for numbers, and text', async (t) => {
  const snapshot = {
    id: 'p1',
    sku: 'S1',
    name: 'Shoe',
    brand: 'Acme',
    description: 'd',
    categoryId: null,
    attributes: { size: ['43', '42', '43'], color: 'red', weight: 0.5 },
    images: [],
    price: null,
    stock: { available: 0, byWarehouse: {} },
    status: 'published',
    createdAt: '2025-01-01T00:00:00.000Z',
    updatedAt: '2025-01-01T00:00:00.000Z',
    version: 3,
  } as unknown as ProductSnapshot;
  const doc = searchDocument(snapshot);
  t.strictSame(doc['tokens'], ['color=red', 'size=43', 'size=42', 'weight=0.5']);
  t.strictSame(doc['rangeTokens'], [rangeToken('weight', 0.5)]);
  t.strictSame(doc['attributeText'], ['red', '43', '42', '0.5']);
  t.notOk('attributes' in doc, 'no nested documents');
  t.strictSame(
    attributeEntries({ b: 'x', a: 1 }),
    attributeEntries({ a: 1, b: 'x' }),
    'the key order of the snapshot does not matter',
  );
});

t.test('A token splits back at its first =', async (t) => {
  t.strictSame(splitFacetToken(facetToken('fit', 'a=b')), { name: 'fit', value: 'a=b' });
});

t.test('Sortable numbers order as strings exactly as the numbers do', async (t) => {
  const numbers = [
    -Infinity,
    -1e300,
    -1000.5,
    -2,
    -1,
    -0.25,
    -Number.MIN_VALUE,
    0,
    Number.MIN_VALUE,
    0.25,
    1,
    2,
    3.5,
    42,
    1e15,
    Number.MAX_VALUE,
    Infinity,
  ];
  const encoded = numbers.map(sortableNumber);
  t.strictSame([...encoded].sort(), encoded);
  t.ok(encoded.every((e) => /^[0-9a-f]{16}$/.test(e)));
  t.equal(sortableNumber(-0), sortableNumber(0), '-0 is 0');
  t.equal(sortableNumber(1.5), 'bff8000000000000');
});

const tee = {
  id: 'p2',
  sku: 'TEE',
  name: 'Tee',
  brand: 'Acme',
  description: 'd',
  categoryId: null,
  attributes: { material: 'cotton' },
  images: [],
  price: null,
  stock: { available: 0, byWarehouse: {} },
  status: 'published',
  createdAt: '2025-01-01T00:00:00.000Z',
  updatedAt: '2025-01-01T00:00:00.000Z',
  version: 4,
  options: ['size', 'color'],
  variants: [
    {
      id: 'v1',
      sku: 'TEE-BLK-M',
      options: { color: 'black', size: 'M' },
      attributes: { fit: 'slim' },
      images: [],
      price: { amountMinor: 1999, currency: 'EUR' },
      stock: { available: 2, byWarehouse: { main: 2 } },
    },
    {
      id: 'v2',
      sku: 'TEE-G|Y-XL',
      options: { size: 'XL', color: 'g|y' },
      attributes: {},
      images: [],
      price: null,
      stock: { available: 0, byWarehouse: {} },
    },
  ],
} as unknown as ProductSnapshot;

t.test('Variants: option tokens, combination keys, prices, and a compact list', async (t) => {
  const doc = searchDocument(tee);
  t.strictSame(doc['skus'], ['TEE', 'TEE-BLK-M', 'TEE-G|Y-XL']);
  t.strictSame(doc['tokens'], ['material=cotton', 'size=M', 'size=XL', 'color=black', 'color=g|y']);
  t.strictSame(doc['attributeText'], ['cotton', 'M', 'XL', 'black', 'g|y', 'slim']);
  t.strictSame(doc['optionNames'], ['size', 'color']);
  t.strictSame(doc['variantKeys'], [
    '|1',
    '|1|0000000001999',
    'size=M|1',
    'size=M|1|0000000001999',
    'color=black|1',
    'color=black|1|0000000001999',
    'color=black|size=M|1',
    'color=black|size=M|1|0000000001999',
    '|0',
    'size=XL|0',
    'color=g\\|y|0',
    'color=g\\|y|size=XL|0',
  ]);
  t.equal(doc['priceMinor'], 1999);
  t.strictSame(doc['prices'], [1999]);
  t.strictSame(doc['priceRange'], { min: 1999, max: 1999, currency: 'EUR' });
  t.equal(doc['inStock'], true);
  t.equal(doc['available'], 2);
  t.equal(doc['variantCount'], 2);
  t.strictSame(doc['variants'], [
    { id: 'v1', options: ['M', 'black'], price: 1999, inStock: true },
    { id: 'v2', options: ['XL', 'g|y'], price: null, inStock: false },
  ]);
});

t.test('A product without variants is one row: its own price and stock', async (t) => {
  const single = {
    ...tee,
    options: undefined,
    variants: undefined,
    price: { amountMinor: 500, currency: 'EUR' },
    stock: { available: 0, byWarehouse: {} },
  } as unknown as ProductSnapshot;
  const doc = searchDocument(single);
  t.strictSame(doc['variantKeys'], ['|0', '|0|0000000000500']);
  t.strictSame(doc['optionNames'], []);
  t.strictSame(doc['variants'], []);
  t.equal(doc['variantCount'], 0);
  t.strictSame(doc['priceRange'], { min: 500, max: 500, currency: 'EUR' });
  t.strictSame(doc['skus'], ['TEE']);
  const declared = searchDocument({
    ...single,
    options: ['color'],
    variants: [],
  });
  t.strictSame(
    [declared['optionNames'], declared['variantKeys']],
    [[], ['|0', '|0|0000000000500']],
    'options declared but no variant (yet, or any more): still the product itself',
  );
});

t.test('The document does not depend on the key order of the snapshot', async (t) => {
  const reordered = JSON.parse(
    JSON.stringify(tee, (_key, value: unknown) =>
      typeof value === 'object' && value !== null && !Array.isArray(value)
        ? Object.fromEntries(Object.entries(value).reverse())
        : value,
    ),
  ) as ProductSnapshot;
  t.strictSame(searchDocument(reordered), searchDocument(tee));
});

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

import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import t from 'tap';
import type { ProductSnapshot } from '../../../shared/events/catalog-events.js';
import { renderProductDetail } from '../../../shared/read-models/detail/document.js';
import { productDetailSchema } from './detail-schema.js';

const ajv = new Ajv({ strict: false, allErrors: true });
(addFormats as unknown as (a: Ajv) => void)(ajv);
const validate = ajv.compile(productDetailSchema);

const single: ProductSnapshot = {
  id: '0b5f1c1e-2a3b-4c5d-8e9f-000000000001',
  sku: 'MUG',
  name: 'Mug',
  description: '',
  brand: null,
  categoryId: null,
  attributes: { capacity: 0.3, color: ['white', 'blue'] },
  images: [],
  price: { amountMinor: 900, currency: 'EUR' },
  stock: { available: 3, byWarehouse: { main: 3 } },
  status: 'published',
  createdAt: '2025-01-01T00:00:00.000Z',
  updatedAt: '2025-01-01T00:00:00.000Z',
  version: 2,
};

const withVariants: ProductSnapshot = {
  ...single,
  price: null,
  options: ['color'],
  variants: [
    {
      id: '0b5f1c1e-2a3b-4c5d-8e9f-0000000000a1',
      sku: 'MUG-W',
      options: { color: 'white' },
      attributes: {},
      images: ['https://cdn.example.com/w.jpg'],
      price: { amountMinor: 900, currency: 'EUR' },
      stock: { available: 0, byWarehouse: {} },
    },
    {
      id: '0b5f1c1e-2a3b-4c5d-8e9f-0000000000a2',
      sku: 'MUG-B',
      options: { color: 'blue' },
      attributes: {},
      images: [],
      price: null,
      stock: { available: 1, byWarehouse: { main: 1 } },
    },
  ],
};

t.test('The published detail schema describes what the detail projector renders', async (t) => {
  for (const [label, snapshot] of [
    ['a single SKU', single],
    ['a product with variants', withVariants],
    ['an unpriced product', { ...single, price: null }],
  ] as const) {
    const body: unknown = JSON.parse(renderProductDetail(snapshot));
    t.ok(validate(body), `${label}: ${JSON.stringify(validate.errors)}`);
  }
  t.notOk(validate({ ...JSON.parse(renderProductDetail(single)), variants: [{}] }), 'and bites');
});

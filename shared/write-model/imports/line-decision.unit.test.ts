import t from 'tap';
import { decideLine } from './line-decision.js';

const now = '2026-11-23T06:00:00.000Z';
const variantId = '0b6c3a52-8f7e-4c1e-9d2a-4f1b2c3d4e5f';

const line = (fields: Record<string, unknown>) =>
  JSON.stringify({
    sku: 'TEE-1',
    name: 'Tee',
    options: ['color', 'size'],
    variants: [
      {
        id: variantId,
        sku: 'TEE-1-BM',
        options: { color: 'black', size: 'M' },
        price: { amountMinor: 1500, currency: 'EUR' },
        stock: { north: 3 },
      },
      { sku: 'TEE-1-GL', options: { size: 'L', color: 'grey' } },
    ],
    ...fields,
  });

t.test('A line carries options and variants as the create body does', async (t) => {
  const outcome = decideLine(line({}), now);
  if (!outcome.ok) throw new Error(outcome.reason);
  const { product } = outcome.decision;
  t.same(product.options, ['color', 'size']);
  t.same(
    product.variants.map((v) => [
      v.sku,
      v.options,
      v.price?.amountMinor ?? null,
      v.stock.available,
    ]),
    [
      ['TEE-1-BM', { color: 'black', size: 'M' }, 1500, 3],
      ['TEE-1-GL', { color: 'grey', size: 'L' }, null, 0],
    ],
  );
  t.equal(product.variants[0]?.id, variantId, 'a given variant id is kept');
  t.match(
    product.variants[1]?.id,
    /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-/,
    'a missing one is made',
  );
});

t.test('A bad variant refuses its line, naming the variant', async (t) => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [
      { variants: [{ sku: 'A', options: { color: 'black' } }] },
      /^rule violated: variants\.0\.options\.size: a value for size is required$/,
    ],
    [
      {
        variants: [
          { sku: 'A', options: { color: 'black', size: 'M' } },
          { sku: 'B', options: { size: 'M', color: 'black' } },
        ],
      },
      /^option combination taken: variants\.1\.options: /,
    ],
    [
      {
        variants: [
          { sku: 'A', options: { color: 'black', size: 'M' } },
          { sku: 'A', options: { color: 'grey', size: 'M' } },
        ],
      },
      /^sku taken: variants\.1\.sku: /,
    ],
    [
      {
        variants: [
          {
            sku: 'A',
            options: { color: 'black', size: 'M' },
            price: { amountMinor: -5, currency: 'EUR' },
          },
        ],
      },
      /^invalid product: variants\.0\.price\.amountMinor: /,
    ],
    [
      { variants: [{ sku: 'A', options: { color: 'black', size: 'M' }, colour: 'red' }] },
      /^invalid product: variants\.0\.colour: is not a known field$/,
    ],
    [
      { price: { amountMinor: 100, currency: 'EUR' } },
      /^rule violated: price: a product with variants/,
    ],
    [{ options: ['color', 'size', 'fit', 'cut'] }, /^invalid product: options: /],
  ];
  for (const [fields, reason] of cases) {
    const outcome = decideLine(line(fields), now);
    t.notOk(outcome.ok, reason.source);
    if (!outcome.ok) t.match(outcome.reason, reason);
  }
});

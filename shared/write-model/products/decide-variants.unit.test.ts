import t from 'tap';
import type {
  FullProductSnapshot,
  Money,
  ProductSnapshot,
  VariantSnapshot,
} from '../../events/catalog-events.js';
import { DomainError } from '../domain-error.js';
import {
  decideProduct,
  type ProductCommand,
  type ProductFields,
  type VariantFields,
} from './decide.js';

const now = '2026-11-23T06:00:00.000Z';
const later = '2026-11-23T07:00:00.000Z';
const eur = (amountMinor: number): Money => ({ amountMinor, currency: 'EUR' });

const variant = (
  id: string,
  color: string,
  size: string,
  extra: Partial<VariantFields> = {},
): VariantFields => ({ id, sku: `TEE-${color}-${size}`, options: { color, size }, ...extra });

/** A t-shirt in black and grey, M and XL (black-XL missing), each variant priced. */
function tee(fields: Partial<ProductFields> = {}): FullProductSnapshot {
  return decideProduct(
    {
      type: 'CreateProduct',
      id: 'p1',
      fields: {
        sku: 'TEE',
        name: 'Tee',
        options: ['color', 'size'],
        variants: [
          variant('v1', 'black', 'M', { price: eur(1500), stock: { north: 2 } }),
          variant('v2', 'grey', 'M', { price: eur(1500) }),
          variant('v3', 'grey', 'XL', { price: eur(1700), stock: { north: 1, south: 4 } }),
        ],
        ...fields,
      },
    },
    undefined,
    now,
  ).product;
}

/** A product without variants, priced and stocked, as before variants existed. */
function single(overrides: Partial<ProductSnapshot> = {}): ProductSnapshot {
  const created: ProductSnapshot = decideProduct(
    {
      type: 'CreateProduct',
      id: 'p2',
      fields: { sku: 'MUG', name: 'Mug', price: eur(900), stock: { north: 5 } },
    },
    undefined,
    now,
  ).product;
  const old = { ...created, ...overrides };
  delete old.options;
  delete old.variants;
  return old;
}

function refused(command: ProductCommand, state: ProductSnapshot | undefined): DomainError {
  try {
    decideProduct(command, state, later);
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error(`${command.type} was accepted`);
}

const refusedCreate = (fields: Partial<ProductFields>) =>
  refused(
    { type: 'CreateProduct', id: 'p9', fields: { sku: 'P9', name: 'N', ...fields } },
    undefined,
  );

const byId = (p: FullProductSnapshot, id: string): VariantSnapshot | undefined =>
  p.variants.find((v) => v.id === id);

t.test('Given nothing, when a product is created with options and variants', async (t) => {
  const product = tee();
  t.same(product.options, ['color', 'size']);
  t.same(
    product.variants.map((v) => [v.id, v.sku, v.options]),
    [
      ['v1', 'TEE-black-M', { color: 'black', size: 'M' }],
      ['v2', 'TEE-grey-M', { color: 'grey', size: 'M' }],
      ['v3', 'TEE-grey-XL', { color: 'grey', size: 'XL' }],
    ],
    'then the variants keep their order and their values',
  );
  t.same(byId(product, 'v3')?.stock, { available: 5, byWarehouse: { north: 1, south: 4 } });
  t.same(byId(product, 'v2')?.stock, { available: 0, byWarehouse: {} });
  t.same(byId(product, 'v2')?.attributes, {});
  t.same(byId(product, 'v2')?.images, []);
  t.equal(product.price, null, 'and the product has no price of its own');
  t.same(product.stock, { available: 0, byWarehouse: {} });

  const reordered = tee({
    variants: [{ id: 'v1', sku: 'A', options: { size: 'M', color: 'black' } }],
  });
  t.same(
    Object.keys(reordered.variants[0]?.options ?? {}),
    ['color', 'size'],
    'option values are kept in the order of the product options',
  );
  const created = decideProduct(
    { type: 'CreateProduct', id: 'p', fields: { sku: 'S', name: 'N' } },
    undefined,
    now,
  );
  t.same([created.product.options, created.product.variants], [[], []], 'single SKU: empty');
});

t.test('Option values must match the product options (422)', async (t) => {
  const cases: [Partial<ProductFields>, string][] = [
    [
      { options: [], variants: [{ id: 'v', sku: 'A', options: { color: 'x' } }] },
      'variants.0.options',
    ],
    [{ variants: [variant('v', 'black', 'M')] }, 'variants.0.options'],
    [
      { options: ['color', 'size'], variants: [{ id: 'v', sku: 'A', options: { color: 'x' } }] },
      'variants.0.options.size',
    ],
    [
      {
        options: ['color'],
        variants: [{ id: 'v', sku: 'A', options: { color: 'x', size: 'M' } }],
      },
      'variants.0.options',
    ],
    [
      { options: ['color'], variants: [{ id: 'v', sku: 'A', options: { color: '  ' } }] },
      'variants.0.options.color',
    ],
    [{ options: ['color', 'size', 'fit', 'length'] }, 'options'],
    [{ options: ['color', 'color'] }, 'options.1'],
    [{ options: ['Color'] }, 'options.0'],
    [{ options: ['color'], attributes: { color: 'red' } }, 'attributes.color'],
    [
      {
        options: ['color'],
        variants: [{ id: 'v', sku: 'A', options: { color: 'x' }, attributes: { color: 'y' } }],
      },
      'variants.0.attributes.color',
    ],
    [
      {
        options: ['color'],
        variants: [{ id: 'v', sku: 'A', options: { color: 'x' }, price: eur(-1) }],
      },
      'variants.0.price.amountMinor',
    ],
    [
      {
        options: ['color'],
        variants: [{ id: 'v', sku: 'A', options: { color: 'x' }, stock: { north: -1 } }],
      },
      'variants.0.stock.north',
    ],
  ];
  for (const [fields, field] of cases) {
    const error = refusedCreate(fields);
    t.equal(error.code, 'rule_violated', field);
    t.equal(error.field, field);
  }
});

t.test('SKUs and option combinations are unique within the product (409)', async (t) => {
  const twice = refusedCreate({
    options: ['color', 'size'],
    variants: [variant('a', 'black', 'M'), { ...variant('b', 'grey', 'M'), sku: 'TEE-black-M' }],
  });
  t.match(twice, { code: 'sku_taken', field: 'variants.1.sku' });
  const productSku = refusedCreate({
    options: ['color'],
    variants: [{ id: 'a', sku: 'P9', options: { color: 'x' } }],
  });
  t.match(productSku, { code: 'sku_taken', field: 'variants.0.sku' }, "the product's own SKU");
  const combination = refusedCreate({
    options: ['color', 'size'],
    variants: [variant('a', 'black', 'M'), { ...variant('b', 'black', 'M'), sku: 'OTHER' }],
  });
  t.match(combination, { code: 'option_combination_taken', field: 'variants.1.options' });
  const sameId = refusedCreate({
    options: ['color', 'size'],
    variants: [variant('a', 'black', 'M'), variant('a', 'grey', 'M')],
  });
  t.match(sameId, { code: 'conflict', field: 'variants.1.id' });

  const product = tee();
  t.match(refused({ type: 'AddVariant', variant: variant('v9', 'grey', 'XL') }, product), {
    code: 'sku_taken',
    field: 'sku',
  });
  t.match(
    refused(
      { type: 'AddVariant', variant: { ...variant('v9', 'grey', 'XL'), sku: 'NEW' } },
      product,
    ),
    { code: 'option_combination_taken', field: 'options' },
  );
  t.match(
    refused(
      { type: 'ChangeVariant', variantId: 'v1', patch: { options: { color: 'grey', size: 'M' } } },
      product,
    ),
    { code: 'option_combination_taken' },
  );
  t.match(refused({ type: 'ChangeVariant', variantId: 'v1', patch: { sku: 'TEE' } }, product), {
    code: 'sku_taken',
    field: 'sku',
  });
});

t.test('A product with variants sells only through them', async (t) => {
  t.match(
    refusedCreate({
      options: ['color'],
      variants: [{ id: 'a', sku: 'A', options: { color: 'x' } }],
      price: eur(1),
    }),
    { code: 'rule_violated', field: 'price' },
  );
  t.match(
    refusedCreate({
      options: ['color'],
      variants: [{ id: 'a', sku: 'A', options: { color: 'x' } }],
      stock: { north: 1 },
    }),
    { code: 'rule_violated', field: 'stock' },
  );
  const product = tee();
  t.match(refused({ type: 'SetPrice', price: eur(100) }, product), {
    code: 'rule_violated',
    field: 'price',
  });
  t.match(
    refused({ type: 'AdjustStock', warehouse: 'north', delta: 1, reason: 'count' }, product),
    { code: 'rule_violated' },
  );
  t.match(
    refusedCreate({
      options: ['color'],
      variants: [
        { id: 'a', sku: 'A', options: { color: 'x' }, price: eur(100) },
        {
          id: 'b',
          sku: 'B',
          options: { color: 'y' },
          price: { amountMinor: 100, currency: 'USD' },
        },
      ],
    }),
    { code: 'rule_violated', field: 'variants.1.price.currency' },
    'one currency per product',
  );
  t.match(
    refused(
      { type: 'SetVariantPrice', variantId: 'v2', price: { amountMinor: 5, currency: 'USD' } },
      product,
    ),
    { code: 'rule_violated', field: 'currency' },
  );
});

t.test('Publishing a product with variants needs a priced variant', async (t) => {
  const unpriced = tee({
    variants: [variant('v1', 'black', 'M'), variant('v2', 'grey', 'M')],
  });
  t.match(refused({ type: 'PublishProduct' }, unpriced), {
    code: 'rule_violated',
    field: 'variants',
  });
  t.match(
    refusedCreate({
      options: ['color'],
      status: 'published',
      variants: [{ id: 'a', sku: 'A', options: { color: 'x' } }],
    }),
    {
      field: 'variants',
    },
  );
  const priced = decideProduct(
    { type: 'SetVariantPrice', variantId: 'v2', price: eur(1200) },
    unpriced,
    later,
  ).product;
  const published = decideProduct({ type: 'PublishProduct' }, priced, later);
  t.equal(published.product.status, 'published', 'one priced variant is enough');
  t.match(
    refused({ type: 'RemoveVariant', variantId: 'v2' }, published.product),
    { code: 'rule_violated', field: 'variants' },
    'nor can the last priced variant of a published product go',
  );
  const unpricedGone = decideProduct(
    { type: 'RemoveVariant', variantId: 'v1' },
    published.product,
    later,
  );
  t.same(
    unpricedGone.product.variants.map((v) => v.id),
    ['v2'],
    'an unpriced one can',
  );
});

t.test('When a variant is added, changed or priced, then one version each', async (t) => {
  const product = tee();
  const added = decideProduct(
    {
      type: 'AddVariant',
      variant: { ...variant('v4', 'black', 'XL'), price: eur(1700), images: ['https://x/y.jpg'] },
    },
    product,
    later,
  );
  t.equal(added.type, 'VariantAdded');
  t.match(added.product, { version: 2, updatedAt: later, price: null });
  t.same(
    added.product.variants.map((v) => v.id),
    ['v1', 'v2', 'v3', 'v4'],
  );
  t.same(added.changes, {
    fields: ['variants'],
    variantId: 'v4',
    price: { from: null, to: eur(1700) },
  });
  t.same(byId(added.product, 'v4')?.stock, { available: 0, byWarehouse: {} });

  const changed = decideProduct(
    {
      type: 'ChangeVariant',
      variantId: 'v2',
      patch: {
        sku: 'TEE-GREY-M',
        options: { size: 'L', color: 'grey' },
        attributes: { fit: 'slim' },
      },
    },
    added.product,
    later,
  );
  t.equal(changed.type, 'VariantChanged');
  t.same(changed.changes, {
    fields: ['variants.attributes', 'variants.options', 'variants.sku'],
    variantId: 'v2',
  });
  t.match(byId(changed.product, 'v2'), {
    sku: 'TEE-GREY-M',
    options: { color: 'grey', size: 'L' },
    attributes: { fit: 'slim' },
    price: eur(1500),
  });
  t.equal(changed.product.version, 3);
  t.equal(
    refused(
      { type: 'ChangeVariant', variantId: 'v2', patch: { options: { size: 'L', color: 'grey' } } },
      changed.product,
    ).message,
    'the patch changes nothing',
    'the same values in another key order change nothing',
  );

  const repriced = decideProduct(
    { type: 'SetVariantPrice', variantId: 'v1', price: eur(1400) },
    changed.product,
    later,
  );
  t.same(repriced.changes, {
    fields: ['variants.price'],
    variantId: 'v1',
    price: { from: eur(1500), to: eur(1400) },
  });
  t.same(byId(repriced.product, 'v3'), byId(product, 'v3'), 'other variants are untouched');
  t.match(
    refused({ type: 'SetVariantPrice', variantId: 'v1', price: eur(1400) }, repriced.product),
    {
      code: 'rule_violated',
    },
  );
  t.match(
    refused(
      { type: 'SetVariantPrice', variantId: 'v1', price: { amountMinor: 1.5, currency: 'EUR' } },
      product,
    ),
    { field: 'price.amountMinor' },
  );
});

t.test('Variant stock moves per warehouse and never goes below zero', async (t) => {
  const product = tee();
  const adjust = (variantId: string, warehouse: string, delta: number): ProductCommand => ({
    type: 'AdjustVariantStock',
    variantId,
    warehouse,
    delta,
    reason: 'sale',
  });
  const sold = decideProduct(adjust('v3', 'south', -4), product, later);
  t.equal(sold.type, 'VariantStockAdjusted');
  t.same(byId(sold.product, 'v3')?.stock, { available: 1, byWarehouse: { north: 1, south: 0 } });
  t.same(sold.changes, {
    fields: ['variants.stock'],
    variantId: 'v3',
    stock: { warehouse: 'south', delta: -4, reason: 'sale', onHand: 0 },
  });
  t.same(byId(sold.product, 'v1')?.stock, byId(product, 'v1')?.stock, 'only that variant moves');
  t.same(sold.product.stock, { available: 0, byWarehouse: {} }, 'the product holds none');
  t.match(refused(adjust('v3', 'south', -1), sold.product), {
    code: 'insufficient_stock',
    field: 'delta',
  });
  t.match(refused(adjust('v1', 'south', -1), product), { code: 'insufficient_stock' });
  t.match(refused(adjust('v1', 'north', 0), product), { code: 'rule_violated' });
  for (const warehouse of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
    t.equal(refused(adjust('v1', warehouse, -1), product).code, 'insufficient_stock', warehouse);
    const added = decideProduct(adjust('v1', warehouse, 3), product, later);
    t.equal(byId(added.product, 'v1')?.stock.byWarehouse[warehouse], 3, warehouse);
    t.equal(byId(added.product, 'v1')?.stock.available, 5, warehouse);
  }
});

t.test('An unknown variant is not found (404)', async (t) => {
  const product = tee();
  for (const command of [
    { type: 'ChangeVariant', variantId: 'nope', patch: { sku: 'X' } },
    { type: 'SetVariantPrice', variantId: 'nope', price: eur(1) },
    { type: 'AdjustVariantStock', variantId: 'nope', warehouse: 'n', delta: 1, reason: 'r' },
    { type: 'RemoveVariant', variantId: 'nope' },
  ] as const) {
    t.equal(refused(command, product).code, 'not_found', command.type);
  }
  t.equal(
    refused({ type: 'RemoveVariant', variantId: 'v1' }, { ...product, status: 'deleted' }).code,
    'invalid_transition',
    'nor is anything on a deleted product',
  );
});

t.test(
  'Given a single-SKU product with price and stock, when it gains a variant and loses it again, then nothing it sells is lost',
  async (t) => {
    const mug = single();
    t.match(
      refused(
        { type: 'AddVariant', variant: { id: 'm1', sku: 'MUG-W', options: { color: 'white' } } },
        mug,
      ),
      {
        code: 'rule_violated',
        field: 'options',
      },
      'options come first',
    );
    const declared = decideProduct(
      { type: 'ChangeProductDetails', patch: { options: ['color'] } },
      mug,
      later,
    );
    t.same(declared.changes.fields, ['options']);
    t.same(declared.product.price, eur(900), 'declaring options alone keeps the single SKU');

    const first = decideProduct(
      { type: 'AddVariant', variant: { id: 'm1', sku: 'MUG-W', options: { color: 'white' } } },
      declared.product,
      later,
    );
    t.match(
      byId(first.product, 'm1'),
      {
        price: eur(900),
        stock: { available: 5, byWarehouse: { north: 5 } },
      },
      'the first variant takes the product price and stock',
    );
    t.equal(first.product.price, null);
    t.same(first.product.stock, { available: 0, byWarehouse: {} });
    t.same(first.changes, {
      fields: ['price', 'stock', 'variants'],
      variantId: 'm1',
      price: { from: null, to: eur(900) },
    });

    const ownPrice = decideProduct(
      {
        type: 'AddVariant',
        variant: { id: 'm1', sku: 'MUG-W', options: { color: 'white' }, price: eur(950) },
      },
      declared.product,
      later,
    );
    t.same(byId(ownPrice.product, 'm1')?.price, eur(950), "a variant's own price wins");

    const second = decideProduct(
      { type: 'AddVariant', variant: { id: 'm2', sku: 'MUG-B', options: { color: 'black' } } },
      first.product,
      later,
    );
    t.same(byId(second.product, 'm2')?.price, null, 'later variants start unpriced');
    t.match(
      refused({ type: 'ChangeProductDetails', patch: { options: ['colour'] } }, second.product),
      { code: 'rule_violated', field: 'options' },
      'options are fixed while variants exist',
    );

    const oneLeft = decideProduct(
      { type: 'RemoveVariant', variantId: 'm2' },
      second.product,
      later,
    );
    t.same(oneLeft.changes, { fields: ['variants'], variantId: 'm2' });
    const back = decideProduct({ type: 'RemoveVariant', variantId: 'm1' }, oneLeft.product, later);
    t.equal(back.type, 'VariantRemoved');
    t.same(back.product.variants, []);
    t.same(back.product.price, eur(900), 'the last variant hands its price back');
    t.same(back.product.stock, { available: 5, byWarehouse: { north: 5 } });
    t.same(back.changes, { fields: ['price', 'stock', 'variants'], variantId: 'm1' });
    t.equal(back.product.version, mug.version + 5);
    const sellsAgain = decideProduct(
      { type: 'AdjustStock', warehouse: 'north', delta: -5, reason: 'sale' },
      back.product,
      later,
    );
    t.equal(sellsAgain.product.stock.available, 0, 'and sells as a single SKU again');
    const cleared = decideProduct(
      { type: 'ChangeProductDetails', patch: { options: [] } },
      back.product,
      later,
    );
    t.same(cleared.product.options, []);
  },
);

t.test('Options and attributes never share a name', async (t) => {
  const product = tee();
  t.match(
    refused({ type: 'ChangeProductDetails', patch: { attributes: { size: 'M' } } }, product),
    { code: 'rule_violated', field: 'attributes.size' },
  );
  const mug = single({ attributes: { color: 'white' } });
  t.match(refused({ type: 'ChangeProductDetails', patch: { options: ['color'] } }, mug), {
    field: 'attributes.color',
  });
  const both = decideProduct(
    { type: 'ChangeProductDetails', patch: { options: ['color'], attributes: {} } },
    mug,
    later,
  );
  t.same(
    both.changes.fields,
    ['attributes', 'options'],
    'unless the attribute goes in the same patch',
  );
});

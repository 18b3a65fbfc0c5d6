import t from 'tap';
import type { ProductSnapshot } from '../../events/catalog-events.js';
import { DomainError } from '../domain-error.js';
import { decideProduct, type ProductCommand } from './decide.js';

const now = '2026-11-23T06:00:00.000Z';
const later = '2026-11-23T07:00:00.000Z';

function given(overrides: Partial<ProductSnapshot> = {}): ProductSnapshot {
  const created = decideProduct(
    { type: 'CreateProduct', id: 'p1', fields: { sku: 'SKU-1', name: 'Shoe' } },
    undefined,
    now,
  );
  return { ...created.product, ...overrides };
}

function refused(command: ProductCommand, state: ProductSnapshot | undefined): DomainError {
  try {
    decideProduct(command, state, later);
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('the command was accepted');
}

t.test('Given nothing, when a product is created, then it is a version-1 draft', async (t) => {
  const decision = decideProduct(
    {
      type: 'CreateProduct',
      id: 'p1',
      fields: { sku: 'SKU-1', name: 'Shoe', stock: { north: 3, south: 2 } },
    },
    undefined,
    now,
  );
  t.equal(decision.type, 'ProductCreated');
  t.match(decision.product, {
    id: 'p1',
    status: 'draft',
    version: 1,
    price: null,
    createdAt: now,
    description: '',
    brand: null,
  });
  t.same(decision.product.stock, { available: 5, byWarehouse: { north: 3, south: 2 } });
  t.same(decision.changes.status, { from: null, to: 'draft' });
});

t.test('A price is needed to publish, at creation or later', async (t) => {
  t.equal(
    refused(
      { type: 'CreateProduct', id: 'p', fields: { sku: 'S', name: 'N', status: 'published' } },
      undefined,
    ).field,
    'price',
  );
  const draft = given();
  t.equal(refused({ type: 'PublishProduct' }, draft).code, 'rule_violated');
  const priced = given({ price: { amountMinor: 100, currency: 'EUR' } });
  const published = decideProduct({ type: 'PublishProduct' }, priced, later);
  t.match(published, {
    type: 'ProductPublished',
    product: { status: 'published', version: 2, updatedAt: later },
  });
});

t.test('Status transitions: only legal ones pass', async (t) => {
  const published = given({ status: 'published', price: { amountMinor: 1, currency: 'EUR' } });
  t.equal(refused({ type: 'PublishProduct' }, published).code, 'invalid_transition');
  t.equal(decideProduct({ type: 'UnpublishProduct' }, published, later).product.status, 'archived');
  t.equal(refused({ type: 'UnpublishProduct' }, given()).code, 'invalid_transition');
  const archived = given({ status: 'archived', price: { amountMinor: 1, currency: 'EUR' } });
  t.equal(decideProduct({ type: 'PublishProduct' }, archived, later).product.status, 'published');
  t.equal(decideProduct({ type: 'DeleteProduct' }, archived, later).product.status, 'deleted');
  const deleted = given({ status: 'deleted' });
  for (const command of [
    { type: 'PublishProduct' },
    { type: 'DeleteProduct' },
    { type: 'SetPrice', price: { amountMinor: 1, currency: 'EUR' } },
  ] as const) {
    t.equal(
      refused(command, deleted).code,
      'invalid_transition',
      `${command.type} on a deleted product`,
    );
  }
  t.equal(
    refused({ type: 'CreateProduct', id: 'p1', fields: { sku: 'S', name: 'N' } }, given()).code,
    'invalid_transition',
  );
});

t.test(
  'When a warehouse is named like an Object method, then it is just a warehouse',
  async (t) => {
    const stocked = given({ stock: { available: 3, byWarehouse: { north: 3 } } });
    for (const warehouse of ['constructor', 'toString', 'valueOf', 'hasOwnProperty']) {
      t.equal(
        refused({ type: 'AdjustStock', warehouse, delta: -1, reason: 'sale' }, stocked).code,
        'insufficient_stock',
        `${warehouse} holds nothing yet`,
      );
      const added = decideProduct(
        { type: 'AdjustStock', warehouse, delta: 2, reason: 'delivery' },
        stocked,
        later,
      );
      t.equal(added.product.stock.available, 5, warehouse);
      t.equal(added.product.stock.byWarehouse[warehouse], 2, warehouse);
      t.equal(added.changes.stock?.onHand, 2, warehouse);
    }
  },
);

t.test('Stock never goes below zero, per warehouse', async (t) => {
  const stocked = given({ stock: { available: 5, byWarehouse: { north: 3, south: 2 } } });
  const moved = decideProduct(
    { type: 'AdjustStock', warehouse: 'north', delta: -3, reason: 'sale' },
    stocked,
    later,
  );
  t.same(moved.product.stock, { available: 2, byWarehouse: { north: 0, south: 2 } });
  t.same(moved.changes.stock, { warehouse: 'north', delta: -3, reason: 'sale', onHand: 0 });
  const error = refused(
    { type: 'AdjustStock', warehouse: 'south', delta: -3, reason: 'sale' },
    stocked,
  );
  t.equal(error.code, 'insufficient_stock');
  t.equal(
    refused({ type: 'AdjustStock', warehouse: 'east', delta: -1, reason: 'sale' }, stocked).code,
    'insufficient_stock',
  );
  t.equal(
    refused({ type: 'AdjustStock', warehouse: 'north', delta: 0, reason: 'x' }, stocked).code,
    'rule_violated',
  );
  t.equal(
    refused({ type: 'AdjustStock', warehouse: 'north', delta: 1.5, reason: 'x' }, stocked).code,
    'rule_violated',
  );
  t.equal(
    refused(
      { type: 'CreateProduct', id: 'p', fields: { sku: 'S', name: 'N', stock: { north: -1 } } },
      undefined,
    ).code,
    'rule_violated',
  );
});

t.test('Prices are whole minor units in an ISO currency, and must change', async (t) => {
  const product = given({ price: { amountMinor: 100, currency: 'EUR' } });
  const changed = decideProduct(
    { type: 'SetPrice', price: { amountMinor: 150, currency: 'EUR' } },
    product,
    later,
  );
  t.same(changed.changes.price, {
    from: { amountMinor: 100, currency: 'EUR' },
    to: { amountMinor: 150, currency: 'EUR' },
  });
  t.equal(
    refused({ type: 'SetPrice', price: { amountMinor: 100, currency: 'EUR' } }, product).code,
    'rule_violated',
  );
  t.equal(
    refused({ type: 'SetPrice', price: { amountMinor: -1, currency: 'EUR' } }, product).field,
    'price.amountMinor',
  );
  t.equal(
    refused({ type: 'SetPrice', price: { amountMinor: 1.25, currency: 'EUR' } }, product).field,
    'price.amountMinor',
  );
  t.equal(
    refused({ type: 'SetPrice', price: { amountMinor: 1, currency: 'eur' } }, product).field,
    'price.currency',
  );
});

t.test('Content limits hold for every entry point', async (t) => {
  const product = given();
  const tooMany = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`a${i}`, 'x']));
  t.equal(
    refused({ type: 'ChangeProductDetails', patch: { attributes: tooMany } }, product).field,
    'attributes',
  );
  t.equal(refused({ type: 'ChangeProductDetails', patch: { name: '' } }, product).field, 'name');
  t.equal(
    refused({ type: 'ChangeProductDetails', patch: { name: 'x'.repeat(201) } }, product).field,
    'name',
  );
  t.equal(
    refused({ type: 'ChangeProductDetails', patch: { attributes: { 'Bad Name': 'x' } } }, product)
      .field,
    'attributes.Bad Name',
  );
  t.equal(
    refused({ type: 'ChangeProductDetails', patch: { attributes: { tags: [] } } }, product).field,
    'attributes.tags',
  );
  t.equal(
    refused({ type: 'ChangeProductDetails', patch: { name: 'Shoe' } }, product).message,
    'the patch changes nothing',
  );
  t.equal(
    refused({ type: 'CreateProduct', id: 'p', fields: { sku: "bad sku'", name: 'N' } }, undefined)
      .field,
    'sku',
  );
});

t.test('A details change records exactly the fields that changed', async (t) => {
  const product = given({ attributes: { color: 'red' }, brand: 'Old' });
  const decision = decideProduct(
    {
      type: 'ChangeProductDetails',
      patch: { brand: 'New', attributes: { color: 'red' }, name: 'Shoe 2' },
    },
    product,
    later,
  );
  t.same(decision.changes.fields, ['brand', 'name']);
  t.match(decision.product, {
    brand: 'New',
    name: 'Shoe 2',
    version: 2,
    createdAt: now,
    updatedAt: later,
  });
});

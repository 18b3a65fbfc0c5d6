import type {
  FullProductSnapshot,
  Money,
  ProductEventType,
  ProductSnapshot,
  ProductStatus,
} from '../../events/catalog-events.js';
import { assertNever } from '../../assert-never.js';
import { withVariantDefaults } from '../../events/catalog-events.js';
import { DomainError, rule } from '../domain-error.js';
import { decideVariant } from './decide-variants.js';
import { productLimits } from './limits.js';
import type { DetailsPatch, ProductCommand, ProductDecision, ProductFields } from './model.js';
import {
  adjustedStock,
  changedFields,
  checkAttributes,
  checkImages,
  checkInitialStock,
  checkPrice,
  checkSku,
  definedOnly,
  samePrice,
  stockOf,
  type StockAdjustment,
} from './rules.js';
import {
  buildVariant,
  checkNoProductLevelSale,
  checkOptions,
  checkPublishable,
  checkVariantList,
} from './variant-rules.js';

export type {
  DetailsPatch,
  ProductCommand,
  ProductDecision,
  ProductFields,
  VariantCommand,
  VariantFields,
  VariantPatch,
} from './model.js';

/**
 * The whole of the product rules: given a command, the current state (undefined before
 * creation) and the time, returns the next state and what changed, or throws a DomainError.
 * No I/O, so every rule is tested without a database. Snapshots written before variants
 * existed are read as products without options or variants.
 */
export function decideProduct(
  command: ProductCommand,
  state: ProductSnapshot | undefined,
  now: string,
): ProductDecision {
  if (command.type === 'CreateProduct') {
    if (state !== undefined)
      throw new DomainError('invalid_transition', `product ${command.id} already exists`);
    return create(command.id, command.fields, now);
  }
  if (state === undefined || state.status === 'deleted') {
    throw new DomainError('invalid_transition', 'the product does not exist');
  }
  const current = withVariantDefaults(state);
  switch (command.type) {
    case 'ChangeProductDetails':
      return changeDetails(current, command.patch, now);
    case 'SetPrice':
      return setPrice(current, command.price, now);
    case 'AdjustStock':
      return adjustStock(current, command, now);
    case 'PublishProduct':
      return publish(current, now);
    case 'UnpublishProduct':
      return unpublish(current, now);
    case 'DeleteProduct':
      return remove(current, now);
    case 'AddVariant':
    case 'ChangeVariant':
    case 'SetVariantPrice':
    case 'AdjustVariantStock':
    case 'RemoveVariant':
      return decideVariant(command, current, now);
    default:
      return assertNever(command);
  }
}

function create(id: string, fields: ProductFields, now: string): ProductDecision {
  checkContent(fields);
  const options = fields.options ?? [];
  checkOptions(options, fields.attributes ?? {});
  const variants = (fields.variants ?? []).map((v, i) =>
    buildVariant(options, v, `variants.${i}.`),
  );
  checkVariantList(fields.sku, variants);
  const price = fields.price ?? null;
  if (price !== null) checkPrice(price);
  const product: FullProductSnapshot = {
    id,
    sku: fields.sku,
    name: fields.name,
    description: fields.description ?? '',
    brand: fields.brand ?? null,
    categoryId: fields.categoryId ?? null,
    attributes: fields.attributes ?? {},
    images: fields.images ?? [],
    price,
    stock: stockOf(checkInitialStock(fields.stock ?? {})),
    status: fields.status ?? 'draft',
    createdAt: now,
    updatedAt: now,
    version: 1,
    options,
    variants,
  };
  checkNoProductLevelSale(product);
  if (product.status === 'published') checkPublishable(product);
  return {
    type: 'ProductCreated',
    product,
    changes: { fields: Object.keys(fields).sort(), status: { from: null, to: product.status } },
  };
}

function changeDetails(
  current: FullProductSnapshot,
  patch: DetailsPatch,
  now: string,
): ProductDecision {
  const merged = { ...current, ...definedOnly(patch) };
  checkContent(merged);
  const changed = changedFields(patch, current);
  if (changed.length === 0) throw rule('the patch changes nothing');
  if (changed.includes('options') && current.variants.length > 0) {
    throw rule(
      'the options of a product with variants cannot change: remove its variants first',
      'options',
    );
  }
  if (changed.includes('options') || changed.includes('attributes')) {
    checkOptions(merged.options, merged.attributes);
  }
  return {
    type: 'ProductDetailsChanged',
    product: { ...merged, updatedAt: now, version: current.version + 1 },
    changes: { fields: changed.sort() },
  };
}

function setPrice(current: FullProductSnapshot, price: Money, now: string): ProductDecision {
  if (current.variants.length > 0) {
    throw rule('a product with variants has no price of its own: price its variants', 'price');
  }
  checkPrice(price);
  if (samePrice(current.price, price)) {
    throw rule('the price is already set to that amount', 'amountMinor');
  }
  return {
    type: 'ProductPriceChanged',
    product: { ...current, price, updatedAt: now, version: current.version + 1 },
    changes: { fields: ['price'], price: { from: current.price, to: price } },
  };
}

function adjustStock(
  current: FullProductSnapshot,
  adjustment: StockAdjustment,
  now: string,
): ProductDecision {
  if (current.variants.length > 0) {
    throw rule("a product with variants has no stock of its own: adjust its variants' stock");
  }
  const { stock, onHand } = adjustedStock(current.stock, adjustment);
  const { warehouse, delta, reason } = adjustment;
  return {
    type: 'ProductStockAdjusted',
    product: { ...current, stock, updatedAt: now, version: current.version + 1 },
    changes: { fields: ['stock'], stock: { warehouse, delta, reason, onHand } },
  };
}

/** draft or archived → published, with a price; unpublish takes a published product off sale. */
function publish(current: FullProductSnapshot, now: string): ProductDecision {
  if (current.status === 'published') {
    throw new DomainError('invalid_transition', 'the product is already published');
  }
  checkPublishable(current);
  return transition(current, 'published', 'ProductPublished', now);
}

function unpublish(current: FullProductSnapshot, now: string): ProductDecision {
  if (current.status !== 'published') {
    throw new DomainError('invalid_transition', `the product is ${current.status}, not published`);
  }
  return transition(current, 'archived', 'ProductUnpublished', now);
}

function remove(current: FullProductSnapshot, now: string): ProductDecision {
  return transition(current, 'deleted', 'ProductDeleted', now);
}

function transition(
  current: FullProductSnapshot,
  status: ProductStatus,
  type: ProductEventType,
  now: string,
): ProductDecision {
  return {
    type,
    product: { ...current, status, updatedAt: now, version: current.version + 1 },
    changes: { fields: ['status'], status: { from: current.status, to: status } },
  };
}

/** The content limits, checked here too so imports and any future entry point share them. */
function checkContent(
  fields: Omit<DetailsPatch, 'name'> & { sku: string; name?: string | undefined },
): void {
  checkSku(fields.sku);
  if (
    fields.name !== undefined &&
    (fields.name.length === 0 || fields.name.length > productLimits.nameMax)
  ) {
    throw rule(`name must be 1 to ${productLimits.nameMax} characters`, 'name');
  }
  if ((fields.description?.length ?? 0) > productLimits.descriptionMax)
    throw rule('description is too long', 'description');
  if ((fields.brand?.length ?? 0) > productLimits.brandMax)
    throw rule('brand is too long', 'brand');
  checkAttributes(fields.attributes ?? {});
  checkImages(fields.images);
}

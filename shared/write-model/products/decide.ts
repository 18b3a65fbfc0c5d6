import type {
  AttributeValue,
  Money,
  ProductChanges,
  ProductEventType,
  ProductSnapshot,
  ProductStatus,
} from '../../events/catalog-events.js';
import { assertNever } from '../../events/catalog-events.js';
import { DomainError, rule } from '../domain-error.js';
import { productLimits } from './limits.js';

export interface ProductFields {
  readonly sku: string;
  readonly name: string;
  readonly description?: string;
  readonly brand?: string | null;
  readonly categoryId?: string | null;
  readonly attributes?: Readonly<Record<string, AttributeValue>>;
  readonly images?: readonly string[];
  readonly price?: Money;
  readonly status?: Exclude<ProductStatus, 'deleted'>;
  /** Initial stock per warehouse (imports); later changes go through adjustments. */
  readonly stock?: Readonly<Record<string, number>>;
}

export type DetailsPatch = Partial<
  Pick<ProductFields, 'name' | 'description' | 'brand' | 'categoryId' | 'attributes' | 'images'>
>;

export type ProductCommand =
  | { readonly type: 'CreateProduct'; readonly id: string; readonly fields: ProductFields }
  | { readonly type: 'ChangeProductDetails'; readonly patch: DetailsPatch }
  | { readonly type: 'SetPrice'; readonly price: Money }
  | {
      readonly type: 'AdjustStock';
      readonly warehouse: string;
      readonly delta: number;
      readonly reason: string;
    }
  | { readonly type: 'PublishProduct' }
  | { readonly type: 'UnpublishProduct' }
  | { readonly type: 'DeleteProduct' };

export interface ProductDecision {
  readonly type: ProductEventType;
  readonly product: ProductSnapshot;
  readonly changes: ProductChanges;
}

/**
 * The whole of the product rules: given a command, the current state (undefined before
 * creation) and the time, returns the next state and what changed, or throws a DomainError.
 * No I/O, so every rule is tested without a database.
 */
export function decideProduct(
  command: ProductCommand,
  current: ProductSnapshot | undefined,
  now: string,
): ProductDecision {
  if (command.type === 'CreateProduct') {
    if (current !== undefined)
      throw new DomainError('invalid_transition', `product ${command.id} already exists`);
    return create(command.id, command.fields, now);
  }
  if (current === undefined || current.status === 'deleted') {
    throw new DomainError('invalid_transition', 'the product does not exist');
  }
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
    default:
      return assertNever(command);
  }
}

function create(id: string, fields: ProductFields, now: string): ProductDecision {
  checkContent(fields);
  const status = fields.status ?? 'draft';
  const price = fields.price ?? null;
  if (price !== null) checkPrice(price);
  if (status === 'published') checkPublishable(fields.name, price);
  const byWarehouse = checkInitialStock(fields.stock ?? {});
  const product: ProductSnapshot = {
    id,
    sku: fields.sku,
    name: fields.name,
    description: fields.description ?? '',
    brand: fields.brand ?? null,
    categoryId: fields.categoryId ?? null,
    attributes: fields.attributes ?? {},
    images: fields.images ?? [],
    price,
    stock: { available: total(byWarehouse), byWarehouse },
    status,
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
  return {
    type: 'ProductCreated',
    product,
    changes: { fields: Object.keys(fields).sort(), status: { from: null, to: status } },
  };
}

function changeDetails(
  current: ProductSnapshot,
  patch: DetailsPatch,
  now: string,
): ProductDecision {
  checkContent({ ...current, ...patch });
  const changed = (Object.keys(patch) as (keyof DetailsPatch)[]).filter(
    (field) => JSON.stringify(patch[field] ?? null) !== JSON.stringify(current[field] ?? null),
  );
  if (changed.length === 0) throw rule('the patch changes nothing');
  const next: ProductSnapshot = {
    ...current,
    ...definedOnly(patch),
    updatedAt: now,
    version: current.version + 1,
  };
  return { type: 'ProductDetailsChanged', product: next, changes: { fields: changed.sort() } };
}

function setPrice(current: ProductSnapshot, price: Money, now: string): ProductDecision {
  checkPrice(price);
  if (
    current.price?.amountMinor === price.amountMinor &&
    current.price.currency === price.currency
  ) {
    throw rule('the price is already set to that amount', 'amountMinor');
  }
  return {
    type: 'ProductPriceChanged',
    product: { ...current, price, updatedAt: now, version: current.version + 1 },
    changes: { fields: ['price'], price: { from: current.price, to: price } },
  };
}

function adjustStock(
  current: ProductSnapshot,
  adjustment: { warehouse: string; delta: number; reason: string },
  now: string,
): ProductDecision {
  const { warehouse, delta, reason } = adjustment;
  if (!Number.isSafeInteger(delta) || delta === 0)
    throw rule('delta must be a non-zero whole number', 'delta');
  if (Math.abs(delta) > productLimits.stockDeltaMax) throw rule('delta is too large', 'delta');
  const held = onHandIn(current.stock.byWarehouse, warehouse);
  const onHand = held + delta;
  if (onHand < 0) {
    throw new DomainError(
      'insufficient_stock',
      `insufficient stock in ${warehouse}: ${held} on hand, ${-delta} requested`,
      'delta',
    );
  }
  const byWarehouse = warehouseMap(current.stock.byWarehouse);
  byWarehouse[warehouse] = onHand;
  return {
    type: 'ProductStockAdjusted',
    product: {
      ...current,
      stock: { available: total(byWarehouse), byWarehouse },
      updatedAt: now,
      version: current.version + 1,
    },
    changes: { fields: ['stock'], stock: { warehouse, delta, reason, onHand } },
  };
}

/** draft or archived → published, with a price; unpublish takes a published product off sale. */
function publish(current: ProductSnapshot, now: string): ProductDecision {
  if (current.status === 'published') {
    throw new DomainError('invalid_transition', 'the product is already published');
  }
  checkPublishable(current.name, current.price);
  return transition(current, 'published', 'ProductPublished', now);
}

function unpublish(current: ProductSnapshot, now: string): ProductDecision {
  if (current.status !== 'published') {
    throw new DomainError('invalid_transition', `the product is ${current.status}, not published`);
  }
  return transition(current, 'archived', 'ProductUnpublished', now);
}

function remove(current: ProductSnapshot, now: string): ProductDecision {
  return transition(current, 'deleted', 'ProductDeleted', now);
}

function transition(
  current: ProductSnapshot,
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

function checkPublishable(name: string, price: Money | null): void {
  if (price === null) throw rule('a product needs a price to be published', 'price');
  if (name.trim().length === 0) throw rule('a product needs a name to be published', 'name');
}

function checkPrice(price: Money): void {
  if (!Number.isSafeInteger(price.amountMinor) || price.amountMinor < 0) {
    throw rule(
      'amountMinor must be a whole number of minor units, zero or more',
      'price.amountMinor',
    );
  }
  if (price.amountMinor > productLimits.amountMinorMax)
    throw rule('the amount is too large', 'price.amountMinor');
  if (!/^[A-Z]{3}$/.test(price.currency))
    throw rule('currency must be an ISO 4217 code', 'price.currency');
}

function checkInitialStock(stock: Readonly<Record<string, number>>): Record<string, number> {
  for (const [warehouse, quantity] of Object.entries(stock)) {
    if (!new RegExp(productLimits.warehousePattern).test(warehouse))
      throw rule('invalid warehouse code', `stock.${warehouse}`);
    if (!Number.isSafeInteger(quantity) || quantity < 0)
      throw rule('stock never goes below zero', `stock.${warehouse}`);
  }
  return warehouseMap(stock);
}

/** The content limits, checked here too so imports and any future entry point share them. */
function checkContent(
  fields: Omit<DetailsPatch, 'name'> & { sku: string; name?: string | undefined },
): void {
  if (!new RegExp(productLimits.skuPattern).test(fields.sku)) throw rule('invalid SKU', 'sku');
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
  const attributes = Object.entries(fields.attributes ?? {});
  if (attributes.length > productLimits.attributesMax) {
    throw rule(`at most ${productLimits.attributesMax} attributes`, 'attributes');
  }
  for (const [name, value] of attributes) checkAttribute(name, value);
  if ((fields.images?.length ?? 0) > productLimits.imagesMax)
    throw rule('too many images', 'images');
}

function checkAttribute(name: string, value: AttributeValue): void {
  const field = `attributes.${name}`;
  if (!new RegExp(productLimits.attributeNamePattern).test(name))
    throw rule('invalid attribute name', field);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw rule('a number attribute must be finite', field);
  } else if (typeof value === 'string') {
    if (value.length > productLimits.attributeTextMax)
      throw rule('attribute text is too long', field);
  } else if (value.length === 0 || value.length > productLimits.attributeListMax) {
    throw rule(`a list attribute holds 1 to ${productLimits.attributeListMax} values`, field);
  }
}

/**
 * Warehouse codes are client text: `constructor` or `toString` must name a warehouse, not reach
 * Object.prototype, so stock maps have no prototype and lookups check own keys only.
 */
function warehouseMap(byWarehouse: Readonly<Record<string, number>>): Record<string, number> {
  return Object.assign(Object.create(null) as Record<string, number>, byWarehouse);
}

function onHandIn(byWarehouse: Readonly<Record<string, number>>, warehouse: string): number {
  return Object.hasOwn(byWarehouse, warehouse) ? (byWarehouse[warehouse] ?? 0) : 0;
}

function total(byWarehouse: Readonly<Record<string, number>>): number {
  return Object.values(byWarehouse).reduce((sum, n) => sum + n, 0);
}

function definedOnly<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>;
}

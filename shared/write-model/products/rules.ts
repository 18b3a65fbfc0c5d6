/**
 * The checks and small pure helpers that product and variant decisions share. Each throws a
 * DomainError naming the field at fault; none does I/O.
 */
import type { AttributeValue, Money, StockLevels } from '../../events/catalog-events.js';
import { DomainError, rule } from '../domain-error.js';
import { productLimits } from './limits.js';

export function checkPrice(price: Money, field = 'price'): void {
  if (!Number.isSafeInteger(price.amountMinor) || price.amountMinor < 0) {
    throw rule(
      'amountMinor must be a whole number of minor units, zero or more',
      `${field}.amountMinor`,
    );
  }
  if (price.amountMinor > productLimits.amountMinorMax)
    throw rule('the amount is too large', `${field}.amountMinor`);
  if (!/^[A-Z]{3}$/.test(price.currency))
    throw rule('currency must be an ISO 4217 code', `${field}.currency`);
}

export const samePrice = (a: Money | null, b: Money | null): boolean =>
  a?.amountMinor === b?.amountMinor && a?.currency === b?.currency;

export function checkSku(sku: string, field = 'sku'): void {
  if (!new RegExp(productLimits.skuPattern).test(sku)) throw rule('invalid SKU', field);
}

export function checkInitialStock(
  stock: Readonly<Record<string, number>>,
  field = 'stock',
): Record<string, number> {
  for (const [warehouse, quantity] of Object.entries(stock)) {
    if (!new RegExp(productLimits.warehousePattern).test(warehouse))
      throw rule('invalid warehouse code', `${field}.${warehouse}`);
    if (!Number.isSafeInteger(quantity) || quantity < 0)
      throw rule('stock never goes below zero', `${field}.${warehouse}`);
  }
  return warehouseMap(stock);
}

export function checkAttributes(
  attributes: Readonly<Record<string, AttributeValue>>,
  field = 'attributes',
): void {
  const entries = Object.entries(attributes);
  if (entries.length > productLimits.attributesMax) {
    throw rule(`at most ${productLimits.attributesMax} attributes`, field);
  }
  for (const [name, value] of entries) checkAttribute(name, value, `${field}.${name}`);
}

function checkAttribute(name: string, value: AttributeValue, field: string): void {
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

export function checkImages(images: readonly string[] | undefined, field = 'images'): void {
  if ((images?.length ?? 0) > productLimits.imagesMax) throw rule('too many images', field);
}

export interface StockAdjustment {
  readonly warehouse: string;
  readonly delta: number;
  readonly reason: string;
}

/** The stock after an adjustment in one warehouse; refused when it would go below zero. */
export function adjustedStock(
  stock: StockLevels,
  { warehouse, delta }: StockAdjustment,
): { stock: StockLevels; onHand: number } {
  if (!Number.isSafeInteger(delta) || delta === 0)
    throw rule('delta must be a non-zero whole number', 'delta');
  if (Math.abs(delta) > productLimits.stockDeltaMax) throw rule('delta is too large', 'delta');
  const held = onHandIn(stock.byWarehouse, warehouse);
  const onHand = held + delta;
  if (onHand < 0) {
    throw new DomainError(
      'insufficient_stock',
      `insufficient stock in ${warehouse}: ${held} on hand, ${-delta} requested`,
      'delta',
    );
  }
  const byWarehouse = warehouseMap(stock.byWarehouse);
  byWarehouse[warehouse] = onHand;
  return { stock: stockOf(byWarehouse), onHand };
}

/**
 * Warehouse codes are client text: `constructor` or `toString` must name a warehouse, not reach
 * Object.prototype, so stock maps have no prototype and lookups check own keys only.
 */
export function warehouseMap(
  byWarehouse: Readonly<Record<string, number>>,
): Record<string, number> {
  return Object.assign(Object.create(null) as Record<string, number>, byWarehouse);
}

function onHandIn(byWarehouse: Readonly<Record<string, number>>, warehouse: string): number {
  return Object.hasOwn(byWarehouse, warehouse) ? (byWarehouse[warehouse] ?? 0) : 0;
}

export const stockOf = (byWarehouse: Readonly<Record<string, number>>): StockLevels => ({
  available: Object.values(byWarehouse).reduce((sum, n) => sum + n, 0),
  byWarehouse,
});

export const noStock = (): StockLevels => stockOf(warehouseMap({}));

/** A product or variant holds stock once any warehouse has a row, even at zero. */
export const holdsStock = (stock: StockLevels): boolean =>
  Object.keys(stock.byWarehouse).length > 0;

export function definedOnly<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The fields of a patch whose value differs from the current one. */
export function changedFields<T extends object>(patch: T, current: Readonly<T>): (keyof T)[] {
  return (Object.keys(patch) as (keyof T)[]).filter(
    (field) =>
      patch[field] !== undefined &&
      JSON.stringify(patch[field] ?? null) !== JSON.stringify(current[field] ?? null),
  );
}

/**
 * The rules of options and variants (API.md "Variants"), pure: option names, option values that
 * match the product's options, SKUs and option combinations unique within the product, one
 * currency per product, and no product-level price or stock beside variants.
 */
import type {
  AttributeValue,
  FullProductSnapshot,
  Money,
  VariantSnapshot,
} from '../../events/catalog-events.js';
import { DomainError, rule } from '../domain-error.js';
import { productLimits as L } from './limits.js';
import type { VariantFields } from './model.js';
import {
  checkAttributes,
  checkImages,
  checkInitialStock,
  checkPrice,
  checkSku,
  holdsStock,
  stockOf,
} from './rules.js';

/** `variants.2.` for a variant of a create body, '' for the body of a variant route. */
export type FieldPrefix = string;

/**
 * Option names: at most 3, attribute-like names, no repeats, and none that is also an attribute
 * of the product: a filter on `color` must mean the variants' colors, never a product-wide value.
 */
export function checkOptions(
  options: readonly string[],
  attributes: Readonly<Record<string, AttributeValue>>,
): void {
  if (options.length > L.optionsMax) throw rule(`at most ${L.optionsMax} options`, 'options');
  options.forEach((name, i) => {
    if (!new RegExp(L.attributeNamePattern).test(name))
      throw rule('invalid option name', `options.${i}`);
    if (options.indexOf(name) !== i) throw rule(`option ${name} is named twice`, `options.${i}`);
    if (Object.hasOwn(attributes, name)) {
      throw rule(
        `${name} is an option, so it cannot also be an attribute of the product`,
        `attributes.${name}`,
      );
    }
  });
}

/**
 * A variant checked against the product's options, as a snapshot: its option values follow the
 * product's option order, and it has no price or stock unless given.
 */
export function buildVariant(
  options: readonly string[],
  fields: VariantFields,
  at: FieldPrefix,
): VariantSnapshot {
  checkSku(fields.sku, `${at}sku`);
  const values = optionValues(options, fields.options, `${at}options`);
  const attributes = fields.attributes ?? {};
  checkAttributes(attributes, `${at}attributes`);
  for (const name of options) {
    if (Object.hasOwn(attributes, name)) {
      throw rule(`${name} is an option; give it in options`, `${at}attributes.${name}`);
    }
  }
  checkImages(fields.images, `${at}images`);
  if (fields.price !== undefined) checkPrice(fields.price, `${at}price`);
  return {
    id: fields.id,
    sku: fields.sku,
    options: values,
    attributes,
    images: fields.images ?? [],
    price: fields.price ?? null,
    stock: stockOf(checkInitialStock(fields.stock ?? {}, `${at}stock`)),
  };
}

/** Exactly one non-blank value per option, keyed in the product's option order. */
function optionValues(
  options: readonly string[],
  given: Readonly<Record<string, string>>,
  field: string,
): Record<string, string> {
  if (options.length === 0) {
    throw rule(
      'the product declares no options: set its options (e.g. ["color", "size"]) first',
      field,
    );
  }
  for (const name of Object.keys(given)) {
    if (!options.includes(name)) {
      throw rule(`${name} is not an option of the product (${options.join(', ')})`, field);
    }
  }
  const values: Record<string, string> = {};
  for (const name of options) {
    const value = Object.hasOwn(given, name) ? given[name] : undefined;
    if (typeof value !== 'string')
      throw rule(`a value for ${name} is required`, `${field}.${name}`);
    if (value.trim() === '' || value.length > L.optionValueMax) {
      throw rule(`a value of 1 to ${L.optionValueMax} characters`, `${field}.${name}`);
    }
    values[name] = value;
  }
  return values;
}

const combinationKey = (v: VariantSnapshot): string => JSON.stringify(Object.values(v.options));

/**
 * A variant among the product's other variants: its SKU is not the product's nor another
 * variant's, its id and option combination are its own, and its price is in the currency the
 * others use. Clashes are 409s (sku_taken, option_combination_taken, conflict); the database
 * checks SKUs across products too.
 */
export function checkAmong(
  productSku: string,
  others: readonly VariantSnapshot[],
  variant: VariantSnapshot,
  at: FieldPrefix,
): void {
  if (variant.sku === productSku || others.some((o) => o.sku === variant.sku)) {
    throw new DomainError(
      'sku_taken',
      `SKU ${variant.sku} is already used by this product or one of its variants`,
      `${at}sku`,
    );
  }
  if (others.some((o) => o.id === variant.id)) {
    throw new DomainError('conflict', `the product has a variant ${variant.id}`, `${at}id`);
  }
  const clash = others.find((o) => combinationKey(o) === combinationKey(variant));
  if (clash !== undefined) {
    throw new DomainError(
      'option_combination_taken',
      `variant ${clash.sku} has the options ${JSON.stringify(variant.options)}`,
      `${at}options`,
    );
  }
  checkCurrency(others, variant.price, `${at}price.currency`);
}

/** Every priced variant of a product is priced in one currency (its price range has one). */
export function checkCurrency(
  others: readonly VariantSnapshot[],
  price: Money | null,
  field: string,
): void {
  const currency = others.find((o) => o.price !== null)?.price?.currency;
  if (price !== null && currency !== undefined && price.currency !== currency) {
    throw rule(`every variant of the product is priced in ${currency}`, field);
  }
}

/** Several variants at once (a create body): each against those before it. */
export function checkVariantList(productSku: string, variants: readonly VariantSnapshot[]): void {
  if (variants.length > L.variantsMax) {
    throw rule(`at most ${L.variantsMax} variants`, 'variants');
  }
  variants.forEach((v, i) => checkAmong(productSku, variants.slice(0, i), v, `variants.${i}.`));
}

/** A product with variants sells only through them: no price or stock of its own. */
export function checkNoProductLevelSale(product: FullProductSnapshot): void {
  if (product.variants.length === 0) return;
  if (product.price !== null) {
    throw rule('a product with variants has no price of its own: price its variants', 'price');
  }
  if (holdsStock(product.stock)) {
    throw rule('a product with variants has no stock of its own: stock its variants', 'stock');
  }
}

/** Published needs a name and something priced to sell: its price, or one variant's. */
export function checkPublishable(product: FullProductSnapshot): void {
  if (product.variants.length > 0) {
    if (!product.variants.some((v) => v.price !== null)) {
      throw rule('a product with variants needs a priced variant to be published', 'variants');
    }
  } else if (product.price === null) {
    throw rule('a product needs a price to be published', 'price');
  }
  if (product.name.trim().length === 0)
    throw rule('a product needs a name to be published', 'name');
}

export function variantOf(product: FullProductSnapshot, variantId: string): VariantSnapshot {
  const variant = product.variants.find((v) => v.id === variantId);
  if (variant === undefined) {
    throw new DomainError('not_found', `product ${product.id} has no variant ${variantId}`);
  }
  return variant;
}

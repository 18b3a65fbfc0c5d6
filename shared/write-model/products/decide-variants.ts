/**
 * The variant commands of the product aggregate. Each bumps the product's version once.
 *
 * Moving between "no variants" and "variants" keeps what the product sells:
 * - the first variant added to a product without variants takes over the product's own stock
 *   (per warehouse) and, unless the variant brings its own price, the product's price; the
 *   product is then left without price or stock, as every product with variants is;
 * - removing the last variant gives its price and stock back to the product, which is a single
 *   SKU again (its options stay declared until changed), so a published product stays sellable.
 *
 * `changes.fields` of a Variant* event names what changed in the snapshot: `variants` when one
 * was added or removed, `variants.<field>` for a field of the variant named by `variantId`, and
 * `price` / `stock` when the product's own moved to or from a variant.
 */
import type {
  FullProductSnapshot,
  Money,
  ProductChanges,
  ProductEventType,
  VariantSnapshot,
} from '../../events/catalog-events.js';
import { DomainError, rule } from '../domain-error.js';
import { productLimits as L } from './limits.js';
import type { ProductDecision, VariantCommand, VariantPatch } from './model.js';
import {
  adjustedStock,
  changedFields,
  checkPrice,
  holdsStock,
  noStock,
  samePrice,
  type StockAdjustment,
} from './rules.js';
import {
  buildVariant,
  checkAmong,
  checkCurrency,
  checkPublishable,
  variantOf,
} from './variant-rules.js';

export function decideVariant(
  command: VariantCommand,
  current: FullProductSnapshot,
  now: string,
): ProductDecision {
  switch (command.type) {
    case 'AddVariant':
      return addVariant(current, command.variant, now);
    case 'ChangeVariant':
      return changeVariant(current, variantOf(current, command.variantId), command.patch, now);
    case 'SetVariantPrice':
      return setVariantPrice(current, variantOf(current, command.variantId), command.price, now);
    case 'AdjustVariantStock':
      return adjustVariantStock(current, variantOf(current, command.variantId), command, now);
    case 'RemoveVariant':
      return removeVariant(current, variantOf(current, command.variantId), now);
  }
}

function decision(
  type: ProductEventType,
  current: FullProductSnapshot,
  next: Partial<FullProductSnapshot>,
  changes: ProductChanges,
  now: string,
): ProductDecision {
  return {
    type,
    product: { ...current, ...next, updatedAt: now, version: current.version + 1 },
    changes,
  };
}

function addVariant(
  current: FullProductSnapshot,
  fields: Parameters<typeof buildVariant>[1],
  now: string,
): ProductDecision {
  if (current.variants.length >= L.variantsMax) {
    throw rule(`a product has at most ${L.variantsMax} variants`, 'variants');
  }
  const built = buildVariant(current.options, { ...fields, stock: {} }, '');
  const first = current.variants.length === 0;
  // The first variant takes over what the product sold as a single SKU.
  const variant: VariantSnapshot = first
    ? { ...built, price: built.price ?? current.price, stock: current.stock }
    : built;
  checkAmong(current.sku, current.variants, variant, '');
  const moved = first
    ? [
        ...(current.price === null ? [] : ['price']),
        ...(holdsStock(current.stock) ? ['stock'] : []),
      ]
    : [];
  return decision(
    'VariantAdded',
    current,
    {
      variants: [...current.variants, variant],
      ...(first ? { price: null, stock: noStock() } : {}),
    },
    {
      fields: ['variants', ...moved].sort(),
      variantId: variant.id,
      ...(variant.price === null ? {} : { price: { from: null, to: variant.price } }),
    },
    now,
  );
}

function changeVariant(
  current: FullProductSnapshot,
  variant: VariantSnapshot,
  patch: VariantPatch,
  now: string,
): ProductDecision {
  const built = buildVariant(
    current.options,
    {
      id: variant.id,
      sku: patch.sku ?? variant.sku,
      options: patch.options ?? variant.options,
      attributes: patch.attributes ?? variant.attributes,
      images: patch.images ?? variant.images,
    },
    '',
  );
  // Options compare in the product's order, whatever order the patch named them in.
  const changed = changedFields(
    {
      sku: patch.sku,
      options: patch.options && built.options,
      attributes: patch.attributes,
      images: patch.images,
    },
    variant,
  );
  if (changed.length === 0) throw rule('the patch changes nothing');
  const next: VariantSnapshot = { ...built, price: variant.price, stock: variant.stock };
  checkAmong(current.sku, others(current, variant), next, '');
  return decision(
    'VariantChanged',
    current,
    { variants: replaced(current, next) },
    { fields: changed.map((f) => `variants.${f}`).sort(), variantId: variant.id },
    now,
  );
}

function setVariantPrice(
  current: FullProductSnapshot,
  variant: VariantSnapshot,
  price: Money,
  now: string,
): ProductDecision {
  checkPrice(price);
  if (samePrice(variant.price, price)) {
    throw rule('the price is already set to that amount', 'amountMinor');
  }
  checkCurrency(others(current, variant), price, 'currency');
  return decision(
    'VariantPriceChanged',
    current,
    { variants: replaced(current, { ...variant, price }) },
    {
      fields: ['variants.price'],
      variantId: variant.id,
      price: { from: variant.price, to: price },
    },
    now,
  );
}

function adjustVariantStock(
  current: FullProductSnapshot,
  variant: VariantSnapshot,
  adjustment: StockAdjustment,
  now: string,
): ProductDecision {
  const { stock, onHand } = adjustedStock(variant.stock, adjustment);
  const { warehouse, delta, reason } = adjustment;
  return decision(
    'VariantStockAdjusted',
    current,
    { variants: replaced(current, { ...variant, stock }) },
    {
      fields: ['variants.stock'],
      variantId: variant.id,
      stock: { warehouse, delta, reason, onHand },
    },
    now,
  );
}

function removeVariant(
  current: FullProductSnapshot,
  variant: VariantSnapshot,
  now: string,
): ProductDecision {
  const remaining = others(current, variant);
  const last = remaining.length === 0;
  // The last variant hands its price and stock back to the product, a single SKU again.
  const next: Partial<FullProductSnapshot> = last
    ? { variants: [], price: variant.price, stock: variant.stock }
    : { variants: remaining };
  if (current.status === 'published') {
    try {
      checkPublishable({ ...current, ...next });
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      throw rule(
        'a published product keeps a priced variant: price another one or unpublish it first',
        'variants',
      );
    }
  }
  const moved = last
    ? [
        ...(variant.price === null ? [] : ['price']),
        ...(holdsStock(variant.stock) ? ['stock'] : []),
      ]
    : [];
  return decision(
    'VariantRemoved',
    current,
    next,
    { fields: ['variants', ...moved].sort(), variantId: variant.id },
    now,
  );
}

const others = (product: FullProductSnapshot, variant: VariantSnapshot): VariantSnapshot[] =>
  product.variants.filter((v) => v.id !== variant.id);

const replaced = (product: FullProductSnapshot, variant: VariantSnapshot): VariantSnapshot[] =>
  product.variants.map((v) => (v.id === variant.id ? variant : v));

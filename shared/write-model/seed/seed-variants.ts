/**
 * Variants for the demo catalog: which products sell in options, and which variants they have.
 * A product of `generateProduct` is unchanged by this module unless it is drawn to have
 * variants; the draws come from a random stream of their own, so a share of 0 gives exactly the
 * single-SKU catalog (and its pinned bytes) and raising the share changes nothing else.
 *
 * Shapes, by the leaf's size scale: clothing and kids' sizes sell in colors x sizes, shoes in
 * sizes, other sized goods (pans, mugs, duvets, helmets...) in colors x sizes, one-size goods in
 * colors; always 5 to 20 variants. Apparel and shoes are the likeliest to have variants,
 * one-size electronics and tools the least.
 */
import type { Money } from '../../events/catalog-events.js';
import type { VariantFields } from '../products/model.js';
import { createRandom, mixSeed, uuidV5, type Random } from './random.js';
import {
  generateProduct,
  IMAGE_BASE,
  PRICE_MAX_MINOR,
  seedLeaves,
  type ProductOptions,
  type SeedLeaf,
  type SeedProduct,
} from './seed-data.js';

export const MIN_VARIANTS = 5;
export const MAX_VARIANTS = 20;
/** `aisle seed`'s share of products with variants when not told otherwise. */
export const DEFAULT_VARIANT_SHARE = 0.3;

export interface CatalogOptions extends ProductOptions {
  /** Share of all products that have variants, 0 to 1 (about: drawn per product). Default 0. */
  readonly variantShare?: number;
}

/** A seed product that sells through variants: no price or stock of its own. */
export type SeedVariantProduct = Omit<SeedProduct, 'price' | 'stock' | 'attributes'> & {
  readonly attributes: Readonly<Record<string, string | number | readonly string[]>>;
  readonly options: readonly string[];
  readonly variants: readonly SeedVariant[];
};

export type SeedVariant = VariantFields & {
  readonly stock: Readonly<Record<string, number>>;
  readonly images: readonly string[];
};

export type SeedCatalogProduct = SeedProduct | SeedVariantProduct;

export const hasVariants = (p: SeedCatalogProduct): p is SeedVariantProduct => 'variants' in p;

/** How likely a leaf's products are to have variants, relative to each other. */
function leafWeight(leaf: SeedLeaf): number {
  if (['clothing', 'kids', 'shoes'].includes(leaf.spec.sizeScale)) return 4;
  return leaf.sizes.length > 1 ? 2 : 1;
}

const leafChances = new Map<number, Map<string, number>>();

/**
 * Per leaf, the chance of variants such that their mean over the leaves (products pick leaves
 * uniformly) is `share`: chance = min(1, k x weight), k found by bisection.
 */
function chancesFor(share: number): Map<string, number> {
  const cached = leafChances.get(share);
  if (cached !== undefined) return cached;
  const leaves = seedLeaves();
  const mean = (k: number) =>
    leaves.reduce((sum, l) => sum + Math.min(1, k * leafWeight(l)), 0) / leaves.length;
  let [low, high] = [0, 1];
  for (let i = 0; i < 60; i++) {
    const mid = (low + high) / 2;
    if (mean(mid) < share) low = mid;
    else high = mid;
  }
  const chances = new Map(leaves.map((l) => [l.id, Math.min(1, high * leafWeight(l))]));
  leafChances.set(share, chances);
  return chances;
}

function checkShare(share: number): void {
  if (!(share >= 0 && share <= 1)) throw new RangeError('the variant share must be from 0 to 1');
}

/**
 * Product `index` of `seed` as the catalog holds it: `generateProduct`'s product, or, for about
 * `variantShare` of them, that product selling through 5 to 20 variants. Pure and deterministic.
 */
export function generateCatalogProduct(
  seed: number,
  index: number,
  options: CatalogOptions = {},
): SeedCatalogProduct {
  const share = options.variantShare ?? 0;
  checkShare(share);
  const product = generateProduct(seed, index, options);
  if (share === 0) return product;
  const leaf = seedLeaves().find((l) => l.id === product.categoryId);
  if (leaf === undefined) throw new Error(`no leaf ${product.categoryId}`);
  const random = createRandom(mixSeed(mixSeed(seed, 0xa11a), index));
  if (!(random.next() < (chancesFor(share).get(leaf.id) ?? 0))) return product;
  return withVariants(product, leaf, random);
}

interface Axis {
  readonly name: 'color' | 'size';
  readonly values: readonly string[];
}

/** The option axes of a product of this leaf: colors and/or a run of sizes. */
function axesOf(product: SeedProduct, leaf: SeedLeaf, random: Random): Axis[] {
  const otherColors = leaf.department.colors.filter((c) => c !== product.attributes.color);
  const colors = (count: number) => [
    product.attributes.color,
    ...random.sample(otherColors, count - 1),
  ];
  const sizes = leaf.sizes;
  if (sizes.length === 1) {
    return [
      {
        name: 'color',
        values: colors(random.int(MIN_VARIANTS, Math.min(8, otherColors.length + 1))),
      },
    ];
  }
  if (leaf.spec.sizeScale === 'shoes') {
    return [{ name: 'size', values: run(random, sizes, MIN_VARIANTS, sizes.length) }];
  }
  const sized = run(random, sizes, Math.min(3, sizes.length), sizes.length);
  const fewest = Math.max(2, Math.ceil(MIN_VARIANTS / sized.length));
  const most = Math.min(4, Math.floor(MAX_VARIANTS / sized.length), otherColors.length + 1);
  return [
    { name: 'color', values: colors(random.int(fewest, Math.max(fewest, most))) },
    { name: 'size', values: sized },
  ];
}

/** A contiguous run of `min` to `max` values of a scale, in scale order. */
function run(random: Random, scale: readonly string[], min: number, max: number): string[] {
  const length = random.int(min, max);
  const start = random.int(0, scale.length - length);
  return scale.slice(start, start + length);
}

const slug = (text: string): string => text.toLowerCase().replace(/[^a-z0-9]+/g, '-');

function withVariants(product: SeedProduct, leaf: SeedLeaf, random: Random): SeedVariantProduct {
  const axes = axesOf(product, leaf, random);
  const combinations = axes.reduce<Record<string, string>[]>(
    (acc, axis) => acc.flatMap((c) => axis.values.map((v) => ({ ...c, [axis.name]: v }))),
    [{}],
  );
  const warehouses = Object.keys(product.stock);
  const soldOut = Object.values(product.stock).every((n) => n === 0);
  const sizeAxis = axes.find((a) => a.name === 'size');
  const variants = combinations.map((options, i): SeedVariant => {
    const sku = `${product.sku}-${String(i + 1).padStart(2, '0')}`;
    const sizeStep = sizeAxis === undefined ? 0 : sizeAxis.values.indexOf(options['size'] ?? '');
    const stock = Object.fromEntries(
      warehouses.map((w) => [
        w,
        soldOut || random.chance(0.25) ? 0 : Math.floor(Math.exp(random.next() * Math.log(60))),
      ]),
    );
    const color = options['color'];
    return {
      id: uuidV5(`variant:${sku}`),
      sku,
      options,
      ...(product.price === undefined ? {} : { price: sizedPrice(product.price, sizeStep) }),
      images:
        color === undefined
          ? []
          : [`${IMAGE_BASE}/${leaf.slug}/${product.sku.toLowerCase()}-${slug(color)}.jpg`],
      stock,
    };
  });
  const names: readonly string[] = axes.map((a) => a.name);
  return {
    id: product.id,
    sku: product.sku,
    name: product.name,
    description: product.description,
    brand: product.brand,
    categoryId: product.categoryId,
    // The options' values belong to the variants now; the product keeps its other attributes.
    attributes: Object.fromEntries(
      Object.entries(product.attributes).filter(([name]) => !names.includes(name)),
    ),
    images: product.images,
    status: product.status,
    options: names,
    variants,
  };
}

/** Larger sizes cost a little more: 3% a step, still ending in 99 and within the bounds. */
function sizedPrice(base: Money, step: number): Money {
  const raw = base.amountMinor * (1 + 0.03 * step);
  const amountMinor = Math.min(
    PRICE_MAX_MINOR,
    Math.max(base.amountMinor, Math.round(raw / 100) * 100 - 1),
  );
  return { amountMinor, currency: base.currency };
}

/**
 * The demo catalog of `aisle seed`: pure generators that turn (seed, index) into a product create
 * body, over the category tree and words of catalog-vocabulary.json (see vocabulary.ts).
 * Everything here is deterministic and free of I/O but for reading that file once, so benchmarks
 * and tests rebuild exactly the products a seed run sent: product `i` of seed `s` is the same
 * object whoever asks, in any order.
 */
import type { Money } from '../../events/catalog-events.js';
import type { ProductFields } from '../products/decide.js';
import { createRandom, mixSeed, uuidV5, type Random } from './random.js';
import {
  loadVocabulary,
  type CatalogVocabulary,
  type DepartmentVocabulary,
  type LeafVocabulary,
} from './vocabulary.js';

// The PRNG is the seed's; benches draw from it to pick among the products it generated.
export { createRandom, mixSeed, uuidV5, type Random };

// ---------------------------------------------------------------------------------------------
// Categories
// ---------------------------------------------------------------------------------------------

export interface SeedCategory {
  /** Deterministic: a v5 UUID of the slug path, the same for every seed and run. */
  readonly id: string;
  readonly slug: string;
  readonly name: string;
  readonly parentId: string | null;
  /** Slugs from the root, joined with `/`: `apparel/men/running-shoes`. */
  readonly path: string;
  /** 1 for a root, 3 for a leaf. */
  readonly depth: 1 | 2 | 3;
}

/** A leaf category with what its products are made of. */
export interface SeedLeaf extends SeedCategory {
  readonly depth: 3;
  readonly department: DepartmentVocabulary;
  readonly spec: LeafVocabulary;
  /** The leaf's size scale, in order. */
  readonly sizes: readonly string[];
}

interface SeedCatalog {
  readonly vocabulary: CatalogVocabulary;
  /** Parents before children: the roots, then their children, then the leaves. */
  readonly categories: readonly SeedCategory[];
  readonly leaves: readonly SeedLeaf[];
}

export const categoryIdOf = (path: string): string => uuidV5(`category:${path}`);

/** How many other slugs seed tries for one category whose slug someone else took. */
export const NAMESPACED_SLUG_TRIES = 5;
const SLUG_MAX = 64;

/**
 * The slugs seed tries, in order, for a category whose slug a sibling it did not create holds:
 * `shoes-demo`, `shoes-demo-2`, ... Each fits the 64-character slug limit (the base is cut, never
 * the suffix), so the demo tree can sit beside anyone's categories without touching them.
 */
export function namespacedSlugs(slug: string): string[] {
  return Array.from({ length: NAMESPACED_SLUG_TRIES }, (_, i) => {
    const suffix = i === 0 ? '-demo' : `-demo-${i + 1}`;
    const base = slug.slice(0, SLUG_MAX - suffix.length).replace(/-+$/, '');
    return `${base}${suffix}`;
  });
}

function buildTree(vocabulary: CatalogVocabulary): SeedCatalog {
  const roots: SeedCategory[] = [];
  const middles: SeedCategory[] = [];
  const leaves: SeedLeaf[] = [];
  for (const department of vocabulary.departments) {
    const root: SeedCategory = {
      id: categoryIdOf(department.slug),
      slug: department.slug,
      name: department.name,
      parentId: null,
      path: department.slug,
      depth: 1,
    };
    roots.push(root);
    for (const child of department.children) {
      const path = `${root.path}/${child.slug}`;
      const middle: SeedCategory = {
        id: categoryIdOf(path),
        slug: child.slug,
        name: child.name,
        parentId: root.id,
        path,
        depth: 2,
      };
      middles.push(middle);
      for (const spec of child.leaves) {
        const leafPath = `${path}/${spec.slug}`;
        const sizes = vocabulary.sizeScales[spec.sizeScale];
        if (sizes === undefined) throw new Error(`${leafPath}: no size scale ${spec.sizeScale}`);
        leaves.push({
          id: categoryIdOf(leafPath),
          slug: spec.slug,
          name: spec.name,
          parentId: middle.id,
          path: leafPath,
          depth: 3,
          department,
          spec,
          sizes,
        });
      }
    }
  }
  return { vocabulary, categories: [...roots, ...middles, ...leaves], leaves };
}

let loaded: SeedCatalog | undefined;

/** The vocabulary and its tree, read on first use. */
function catalog(): SeedCatalog {
  loaded ??= buildTree(loadVocabulary());
  return loaded;
}

/** The whole tree, parents before children (roots, then their children, then the leaves). */
export const seedCategories = (): readonly SeedCategory[] => catalog().categories;

/** The categories products are assigned to (the third level). */
export const seedLeaves = (): readonly SeedLeaf[] => catalog().leaves;

/** Every brand of the demo catalog. */
export const seedBrands = (): readonly string[] =>
  catalog().vocabulary.departments.flatMap((d) => d.brands);

// ---------------------------------------------------------------------------------------------
// Products
// ---------------------------------------------------------------------------------------------

export const PRICE_MIN_MINOR = 299;
export const PRICE_MAX_MINOR = 49_999;
export const CURRENCY = 'EUR';
export const WAREHOUSES = ['ams-1', 'ber-1', 'mad-1', 'waw-1'] as const;
export const IMAGE_BASE = 'https://cdn.example.com/aisle/demo';

/** The create body of one product, exactly as sent in the import (and to POST /products). */
export type SeedProduct = ProductFields & {
  readonly id: string;
  readonly description: string;
  readonly brand: string;
  readonly categoryId: string;
  readonly attributes: {
    readonly color: string;
    readonly size: readonly string[];
    readonly material: string;
    readonly weight_g: number;
  };
  readonly images: readonly string[];
  readonly status: 'draft' | 'published';
  readonly stock: Readonly<Record<string, number>>;
};

export interface ProductOptions {
  /** Share of products created published (each has a price); the rest are drafts. Default 0.9. */
  readonly publishedRatio?: number;
}

export const DEFAULT_PUBLISHED_RATIO = 0.9;
export const MAX_SEED = 0xffff_ffff;

function checkSeed(seed: number): void {
  if (!Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) {
    throw new RangeError(`the seed must be an integer from 0 to ${MAX_SEED}`);
  }
}

/** `DEMO-42-0000017`: unique per (seed, index), so a re-run of a seed collides on purpose. */
export function productSku(seed: number, index: number): string {
  checkSeed(seed);
  return `DEMO-${seed}-${String(index).padStart(7, '0')}`;
}

export const productId = (seed: number, index: number): string =>
  uuidV5(`product:${productSku(seed, index)}`);

const capitalize = (text: string): string =>
  text.length === 0 ? text : `${text[0]?.toUpperCase() ?? ''}${text.slice(1)}`;

/** "running shoe" -> "Running Shoe"; "t-shirt" -> "T-Shirt". */
const titleCase = (text: string): string =>
  text
    .split(' ')
    .map((word) => word.split('-').map(capitalize).join('-'))
    .join(' ');

const article = (word: string): string => (/^[aeiou]/i.test(word) ? 'an' : 'a');

const fill = (sentence: string, words: { noun: string; material: string }): string =>
  sentence.replace(/\{noun\}/g, words.noun).replace(/\{material\}/g, words.material);

/** A log-normal price around the category's median, ending in 99, within the bounds. */
function priceOf(random: Random, median: number): Money {
  const raw = median * Math.exp(0.5 * random.normal());
  const charm = Math.round(raw / 100) * 100 - 1;
  const amountMinor = Math.min(PRICE_MAX_MINOR, Math.max(PRICE_MIN_MINOR, charm));
  return { amountMinor, currency: CURRENCY };
}

/** 1 to 3 warehouses; about one product in eight has none left anywhere. */
function stockOf(random: Random): Record<string, number> {
  const warehouses = random.sample(WAREHOUSES, random.int(1, 3)).sort();
  const soldOut = random.chance(0.12);
  const stock: Record<string, number> = {};
  for (const warehouse of warehouses) {
    // Skewed: many small quantities, a few large ones.
    const quantity = Math.floor(Math.exp(random.next() * Math.log(400)));
    stock[warehouse] = soldOut || random.chance(0.2) ? 0 : quantity;
  }
  return stock;
}

function sizesOf(random: Random, scale: readonly string[]): string[] {
  const length = random.int(1, Math.min(scale.length, 5));
  const start = random.int(0, scale.length - length);
  return scale.slice(start, start + length);
}

function describe(
  random: Random,
  leafCategory: SeedLeaf,
  useOpenings: readonly string[],
  words: { noun: string; material: string; adjective: string; brand: string; color: string },
): string {
  const { department, spec } = leafCategory;
  const opening = `${capitalize(article(words.adjective))} ${words.adjective} ${words.noun} from ${words.brand}, made from ${words.material} and finished in ${words.color}.`;
  const details = random.sample(spec.details, random.int(1, spec.details.length));
  const features = random
    .sample(department.features, random.int(1, 3))
    .map((sentence) => fill(sentence, words));
  const use = `${random.pick(useOpenings)} ${random.pick(department.uses)}.`;
  const sentences = [opening, ...details, ...features, use];
  if (random.chance(0.6)) sentences.push(random.pick(department.care));
  return sentences.join(' ');
}

/**
 * Product `index` of `seed`: a create body for POST /admin/v1/products or one import line.
 * Pure: the same arguments always give the same product, independent of any other index.
 */
export function generateProduct(
  seed: number,
  index: number,
  options: ProductOptions = {},
): SeedProduct {
  checkSeed(seed);
  if (!Number.isSafeInteger(index) || index < 0) throw new RangeError('index must be ≥ 0');
  const publishedRatio = options.publishedRatio ?? DEFAULT_PUBLISHED_RATIO;
  const random = createRandom(mixSeed(mixSeed(seed, 0x5eed), index));
  // The status is drawn first and alone, so the ratio changes nothing else about a product.
  const published = random.next() < publishedRatio;
  const { leaves, vocabulary } = catalog();
  const category = random.pick(leaves);
  const { department, spec } = category;
  const brand = random.pick(department.brands);
  const noun = random.pick(spec.nouns);
  const material = random.pick(spec.materials ?? department.materials);
  const adjective = random.pick(department.adjectives);
  const color = random.pick(department.colors);
  const size = sizesOf(random, category.sizes);
  const weight = Math.round(random.int(spec.weightGrams[0], spec.weightGrams[1]) / 5) * 5;
  const price = priceOf(random, spec.medianPriceMinor);
  // Drawn whatever the status, so the sequence (and everything after) stays the same.
  const draftPriced = random.chance(0.5);
  const hasPrice = published || draftPriced;
  const stock = stockOf(random);
  const sku = productSku(seed, index);
  const imageCount = random.int(1, 4);
  const description = describe(random, category, vocabulary.useOpenings, {
    noun,
    material,
    adjective,
    brand,
    color,
  });
  const images = Array.from(
    { length: imageCount },
    (_, i) => `${IMAGE_BASE}/${category.slug}/${sku.toLowerCase()}-${i + 1}.jpg`,
  );
  return {
    id: productId(seed, index),
    sku,
    name: `${brand} ${titleCase(adjective)} ${titleCase(material)} ${titleCase(noun)}`,
    description,
    brand,
    categoryId: category.id,
    attributes: { color, size, material, weight_g: weight },
    images,
    ...(hasPrice ? { price } : {}),
    status: published ? 'published' : 'draft',
    stock,
  };
}

/** Products `from` to `from + count - 1` of `seed`, one at a time (nothing is held). */
export function* generateProducts(
  seed: number,
  count: number,
  options: ProductOptions & { readonly from?: number } = {},
): Generator<SeedProduct, void, undefined> {
  const from = options.from ?? 0;
  for (let i = 0; i < count; i++) yield generateProduct(seed, from + i, options);
}

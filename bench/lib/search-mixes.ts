/**
 * The query mixes of bench:search, drawn up front with a seeded PRNG from the demo catalog's own
 * generator (so the same --seed and --products give the same requests, and both sides of the
 * comparison get exactly the same list, in the same order).
 *
 * - uniform: a word or a pair of words of the catalog's names, every word equally likely, a
 *   tenth with a typo; text only, relevance order, first page.
 * - zipf: storefront traffic; a universe of distinct requests (text, text + a filter, category
 *   pages, brand pages) asked with Zipf-distributed popularity (s = 1), so a few are very
 *   frequent and most are rare.
 * - browse: category pages at every level of the tree, the sorts shoppers use, pages 1 to 3.
 * - filters: brand + attribute filters (colour, sometimes size, material, in stock), no text. On a
 *   catalog with variants, the colour and size of a product with variants are one variant's.
 * - variants (catalogs with variants only): option filters of one real variant (colour and/or
 *   size), often with a price band around its price and in_stock, all of which one variant must
 *   meet together; in a category or not.
 */
import {
  DEFAULT_PUBLISHED_RATIO,
  seedCategories,
} from '../../shared/write-model/seed/seed-data.js';
import {
  generateCatalogProduct,
  hasVariants,
  type SeedCatalogProduct,
  type SeedVariantProduct,
} from '../../shared/write-model/seed/seed-variants.js';
import { createRandom, mixSeed, type Random } from '../../shared/write-model/seed/random.js';
import { searchMixNames, type SearchMixName } from './search-options.js';

export const POOL_SIZE = 20_000;
const ZIPF_UNIVERSE = 5_000;
const ZIPF_EXPONENT = 1;
const TYPO_SHARE = 0.1;
/** Published products looked at to learn the vocabulary and the filter values. */
const SAMPLE = 20_000;

export interface MixPool {
  readonly name: SearchMixName;
  readonly describe: string;
  readonly paths: readonly string[];
}

type Params = [string, string][];
const path = (params: Params): string =>
  params.length === 0 ? '/v1/search' : `/v1/search?${new URLSearchParams(params).toString()}`;

/** Published products of the catalog at random indexes (all of them for a small catalog). */
function sampleProducts(
  seed: number,
  products: number,
  variantShare: number,
  random: Random,
): SeedCatalogProduct[] {
  const indexes =
    products <= SAMPLE
      ? Array.from({ length: products }, (_, i) => i)
      : Array.from({ length: SAMPLE }, () => random.int(0, products - 1));
  return indexes
    .map((i) =>
      generateCatalogProduct(seed, i, { publishedRatio: DEFAULT_PUBLISHED_RATIO, variantShare }),
    )
    .filter((p) => p.status === 'published');
}

/** The colour of a product, or of its first variant when colour is one of its options. */
function colorOf(p: SeedCatalogProduct): string {
  if (!hasVariants(p)) return p.attributes.color;
  return String(p.attributes['color'] ?? p.variants[0]?.options['color'] ?? '');
}

/** The words a shopper types about a product: its name's words and its colour. */
const wordsOf = (p: SeedCatalogProduct): string[] => [
  ...new Set([...p.name.toLowerCase().split(' '), colorOf(p).toLowerCase()]),
];

/** Two neighbouring letters swapped in the longest word ("sweater" → "swaeter"). */
export function withTypo(random: Random, text: string): string {
  const words = text.split(' ');
  const longest = words.reduce((a, b) => (b.length > a.length ? b : a), '');
  if (longest.length < 4) return text;
  const at = random.int(1, longest.length - 2);
  const swapped = `${longest.slice(0, at)}${longest[at + 1] ?? ''}${longest[at] ?? ''}${longest.slice(at + 2)}`;
  return words.map((w) => (w === longest ? swapped : w)).join(' ');
}

interface Vocabulary {
  readonly words: readonly string[];
  readonly products: readonly SeedCatalogProduct[];
  readonly withVariants: readonly SeedVariantProduct[];
}

/** A word pair from one product's words, in their order ("merino sweater"). */
function wordPair(random: Random, p: SeedCatalogProduct): string {
  const words = wordsOf(p);
  const [a = 0, b = 1] = random
    .sample(
      words.map((_, i) => i),
      2,
    )
    .sort((x, y) => x - y);
  return `${words[a] ?? ''} ${words[b] ?? ''}`.trim();
}

/** A word of the vocabulary or a pair of one product's words (`about`, or a random one). */
function textQuery(
  random: Random,
  v: Vocabulary,
  typoShare: number,
  about?: SeedCatalogProduct,
): string {
  const product = about ?? random.pick(v.products);
  const single = about === undefined ? random.pick(v.words) : random.pick(wordsOf(about));
  const text = random.chance(0.5) ? single : wordPair(random, product);
  return random.chance(typoShare) ? withTypo(random, text) : text;
}

function categoryPage(random: Random): Params {
  const params: Params = [['category', random.pick(seedCategories()).id]];
  if (random.chance(0.4)) {
    params.push(['sort', random.pick(['price_asc', 'price_desc', 'newest', 'relevance'])]);
  }
  const roll = random.next();
  if (roll >= 0.8) params.push(['page', roll < 0.95 ? '2' : '3']);
  return params;
}

function filterSearch(random: Random, v: Vocabulary): Params {
  const p = random.pick(v.products);
  if (hasVariants(p)) return variantFilterSearch(random, p);
  const params: Params = [
    ['brand', p.brand],
    ['attr.color', p.attributes.color],
  ];
  if (random.chance(0.4)) params.push(['attr.size', random.pick(p.attributes.size)]);
  if (random.chance(0.2)) params.push(['attr.material', p.attributes.material]);
  if (random.chance(0.2)) params.push(['in_stock', 'true']);
  return params;
}

/** A scalar attribute of a product with variants, or its options' value on `variant`. */
function valueOn(
  p: SeedVariantProduct,
  variant: SeedVariantProduct['variants'][number],
  name: string,
  random: Random,
): string | undefined {
  const own = variant.options[name] ?? p.attributes[name];
  if (Array.isArray(own)) return own.length === 0 ? undefined : String(random.pick(own));
  return own === undefined ? undefined : String(own);
}

/** The filters mix on a product with variants: colour and size are one variant's. */
function variantFilterSearch(random: Random, p: SeedVariantProduct): Params {
  const variant = random.pick(p.variants);
  const params: Params = [['brand', p.brand]];
  const color = valueOn(p, variant, 'color', random);
  if (color !== undefined) params.push(['attr.color', color]);
  const size = random.chance(0.4) ? valueOn(p, variant, 'size', random) : undefined;
  if (size !== undefined) params.push(['attr.size', size]);
  const material = random.chance(0.2) ? valueOn(p, variant, 'material', random) : undefined;
  if (material !== undefined) params.push(['attr.material', material]);
  if (random.chance(0.2)) params.push(['in_stock', 'true']);
  return params;
}

const parentOf = (id: string): string | undefined =>
  seedCategories().find((c) => c.id === id)?.parentId ?? undefined;

/**
 * The variants mix: a shopper's "this colour in my size, in my budget, in stock", from one real
 * variant, so one variant must meet every filter together (0008's variant condition, and the
 * exact facet recount): its option values (sometimes only one of two), half the time a price
 * band around its price, half the time in_stock; in its leaf category, the parent, or anywhere.
 */
function variantSearch(random: Random, v: Vocabulary): Params {
  const p = random.pick(v.withVariants);
  const variant = random.pick(p.variants);
  const params: Params = [];
  const scope = random.next();
  if (scope < 0.4) params.push(['category', p.categoryId]);
  else if (scope < 0.7) params.push(['category', parentOf(p.categoryId) ?? p.categoryId]);
  const names = p.options.length > 1 && random.chance(0.3) ? [random.pick(p.options)] : p.options;
  for (const name of names) params.push([`attr.${name}`, variant.options[name] ?? '']);
  const price = variant.price?.amountMinor;
  if (price !== undefined && random.chance(0.5)) {
    params.push(['price_min', String(Math.floor(price * 0.8))]);
    params.push(['price_max', String(Math.ceil(price * 1.25))]);
  }
  if (random.chance(0.5)) params.push(['in_stock', 'true']);
  return params;
}

/** One distinct request of the storefront's universe (before popularity is applied). */
function storefrontRequest(random: Random, v: Vocabulary): Params {
  const roll = random.next();
  if (roll < 0.55) return [['q', textQuery(random, v, 0.05)]];
  if (roll < 0.8) return categoryPage(random);
  const p = random.pick(v.products);
  if (roll < 0.9) {
    const filter: [string, string] = random.chance(0.5)
      ? ['brand', p.brand]
      : ['category', p.categoryId];
    // Text about the product whose brand or category filters it, as a shopper narrows a search.
    return [['q', textQuery(random, v, 0.05, p)], filter];
  }
  return random.chance(0.5)
    ? [['brand', p.brand]]
    : [
        ['brand', p.brand],
        ['attr.color', colorOf(p)],
      ];
}

/** Draws `count` ranks in [0, n) with P(rank r) ∝ 1 / (r + 1)^s, by inverse CDF. */
export function zipfRanks(random: Random, n: number, s: number, count: number): number[] {
  const cumulative = new Float64Array(n);
  let sum = 0;
  for (let r = 0; r < n; r++) cumulative[r] = sum += 1 / Math.pow(r + 1, s);
  const ranks: number[] = [];
  for (let i = 0; i < count; i++) {
    const target = random.next() * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cumulative[mid] ?? 0) < target) lo = mid + 1;
      else hi = mid;
    }
    ranks.push(lo);
  }
  return ranks;
}

const describe: Record<SearchMixName, string> = {
  uniform: `a word or a word pair of the names, uniform over the vocabulary, ${TYPO_SHARE * 100}% with a typo; text only`,
  zipf: `${ZIPF_UNIVERSE} distinct storefront requests (55% text, 25% category pages, 10% text + filter, 10% brand pages) with Zipf popularity, s = ${ZIPF_EXPONENT}`,
  browse: 'category pages at all three levels, 40% with a chosen sort, 20% page 2 or 3',
  filters:
    "brand + colour, sometimes size, material, in stock; no text (on a product with variants: one variant's colour and size)",
  variants:
    'colour and/or size of one real variant, 50% + a price band around its price, 50% in stock, 70% in a category; one variant must meet them all (Aisle only)',
};

export function buildMixPools(
  seed: number,
  products: number,
  names: readonly SearchMixName[],
  variantShare = 0,
): MixPool[] {
  const random = createRandom(mixSeed(seed, 0x5ea4c));
  const sampled = sampleProducts(seed, products, variantShare, random);
  if (sampled.length === 0) throw new Error('the catalog has no published product');
  const vocabulary: Vocabulary = {
    words: [...new Set(sampled.flatMap(wordsOf))].sort(),
    products: sampled,
    withVariants: sampled.filter(hasVariants),
  };
  if (names.includes('variants') && vocabulary.withVariants.length === 0) {
    throw new Error('the variants mix needs published products with variants in the catalog');
  }
  const draw = (make: () => Params) => Array.from({ length: POOL_SIZE }, () => path(make()));
  // Each mix draws from its own stream, so a mix is the same whichever others are chosen.
  const build: Record<SearchMixName, (random: Random) => string[]> = {
    uniform: (random) => draw(() => [['q', textQuery(random, vocabulary, TYPO_SHARE)]]),
    zipf: (random) => {
      const universe = Array.from({ length: ZIPF_UNIVERSE }, () =>
        path(storefrontRequest(random, vocabulary)),
      );
      return zipfRanks(random, universe.length, ZIPF_EXPONENT, POOL_SIZE).map(
        (r) => universe[r] ?? '/v1/search',
      );
    },
    browse: (random) => draw(() => categoryPage(random)),
    filters: (random) => draw(() => filterSearch(random, vocabulary)),
    variants: (random) => draw(() => variantSearch(random, vocabulary)),
  };
  return names.map((name) => ({
    name,
    describe: describe[name],
    paths: build[name](createRandom(mixSeed(seed, 0x5ea4c + searchMixNames.indexOf(name) + 1))),
  }));
}

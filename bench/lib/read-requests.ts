/**
 * The requests of bench:read, drawn up front from the seeded catalog with a seeded PRNG (the same
 * --seed gives the same request pools), so that picking the next request under load costs one
 * Math.random() and an array read.
 */
import { createRandom, mixSeed, type Random } from '../../shared/write-model/seed/seed-data.js';
import type { CatalogModel, CatalogProduct } from './read-catalog.js';

/** The route a request goes to, for per-route figures. */
export type RouteKind = 'detail' | 'search' | 'suggest' | 'categories';

export interface NextRequest {
  readonly kind: RouteKind;
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
}

const SEARCH_POOL = 20_000;
const SUGGEST_POOL = 5_000;

const pickIndex = <T>(items: readonly T[]): T =>
  items[Math.floor(Math.random() * items.length)] as T;

/** One changed letter pair ("sweater" → "sewater"), as a hurried typist makes them. */
function typo(random: Random, text: string): string {
  const words = text.split(' ');
  const longest = words.reduce((a, b) => (b.length > a.length ? b : a), '');
  if (longest.length < 5) return text;
  const at = random.int(1, longest.length - 2);
  const swapped = `${longest.slice(0, at)}${longest[at + 1] ?? ''}${longest[at] ?? ''}${longest.slice(at + 2)}`;
  return words.map((w) => (w === longest ? swapped : w)).join(' ');
}

/** A round price bound below (or above) an amount in minor units: 1000, 2000, 5000, 10000, … */
function roundBound(amount: number, up: boolean): number {
  const steps = [500, 1000, 2000, 5000, 10_000, 20_000, 50_000];
  if (up) return steps.find((s) => s > amount) ?? 100_000;
  return [...steps].reverse().find((s) => s <= amount) ?? 0;
}

/**
 * A storefront search built around one published product, so it finds at least that product
 * (unless the typo defeats the fuzziness): text from its name (a quarter browse without text),
 * 1–2 filters taken from its own fields, a sort, and page 1–3.
 */
function searchPath(random: Random, p: CatalogProduct): string {
  const params = new URLSearchParams();
  const browse = random.chance(0.25);
  if (!browse) {
    const firstBrandWord = p.brand.split(' ')[0]?.toLowerCase() ?? p.brand;
    let q = random.pick([
      p.noun,
      p.noun,
      `${p.adjective} ${p.noun}`,
      `${p.material} ${p.noun}`,
      `${p.color} ${p.noun}`,
      `${firstBrandWord} ${p.noun}`,
      p.material,
    ]);
    if (random.chance(0.1)) q = typo(random, q);
    params.set('q', q);
  }
  const filters = random.sample(
    ['brand', 'category', 'price', 'in_stock', 'color'] as const,
    random.int(1, 2),
  );
  for (const filter of filters) {
    switch (filter) {
      case 'brand':
        params.append('brand', p.brand);
        break;
      case 'category':
        params.set('category', random.pick(p.categoryIds));
        break;
      case 'price': {
        const shape = random.int(0, 2);
        if (shape !== 1) params.set('price_min', String(roundBound(p.priceMinor, false)));
        if (shape !== 0) params.set('price_max', String(roundBound(p.priceMinor, true)));
        break;
      }
      case 'in_stock':
        params.set('in_stock', 'true');
        break;
      case 'color':
        params.append('attr.color', p.color);
        break;
    }
  }
  const sort = browse
    ? random.pick(['relevance', 'newest', 'price_asc', 'price_desc'])
    : random.chance(0.55)
      ? 'relevance'
      : random.pick(['newest', 'price_asc', 'price_desc']);
  if (sort !== 'relevance' || random.chance(0.5)) params.set('sort', sort);
  const roll = random.next();
  const page = roll < 0.7 ? 1 : roll < 0.9 ? 2 : 3;
  if (page > 1) params.set('page', String(page));
  return `/v1/search?${params.toString()}`;
}

/** The words a shopper starts typing: brand, adjective, material and noun words of the names. */
function suggestPath(random: Random, p: CatalogProduct): string {
  const words = [p.brand, p.adjective, p.material, p.noun]
    .flatMap((w) => w.toLowerCase().split(/[\s-]+/))
    .filter((w) => /^[a-z]{2,}$/.test(w));
  const word = words.length === 0 ? 'sh' : random.pick(words);
  const length = Math.min(word.length, random.int(2, 4));
  return `/v1/suggest?q=${encodeURIComponent(word.slice(0, length))}`;
}

export interface RequestPools {
  readonly detail: readonly string[];
  readonly search: readonly string[];
  readonly suggest: readonly string[];
}

export function buildRequestPools(model: CatalogModel): RequestPools {
  const random = createRandom(mixSeed(model.seed, 0x4ead));
  const products = model.published;
  if (products.length === 0) throw new Error('the catalog has no published product');
  return {
    detail: products.map((p) => `/v1/products/${p.id}`),
    search: Array.from({ length: SEARCH_POOL }, () => searchPath(random, random.pick(products))),
    suggest: Array.from({ length: SUGGEST_POOL }, () => suggestPath(random, random.pick(products))),
  };
}

/** A detail path and the ETag its current document carries. */
export interface TaggedPath {
  readonly path: string;
  readonly etag: string;
}

export const nextDetail = (pools: RequestPools) => (): NextRequest => ({
  kind: 'detail',
  path: pickIndex(pools.detail),
});

export const nextDetail304 = (tagged: readonly TaggedPath[]) => (): NextRequest => {
  const t = pickIndex(tagged);
  return { kind: 'detail', path: t.path, headers: { 'if-none-match': t.etag } };
};

export const nextSearch = (pools: RequestPools) => (): NextRequest => ({
  kind: 'search',
  path: pickIndex(pools.search),
});

export const nextSuggest = (pools: RequestPools) => (): NextRequest => ({
  kind: 'suggest',
  path: pickIndex(pools.suggest),
});

export const nextCategories = () => (): NextRequest => ({
  kind: 'categories',
  path: '/v1/categories',
});

/** The storefront mix: 70% detail, 25% search, 5% suggest. */
export const nextMixed = (pools: RequestPools) => {
  const detail = nextDetail(pools);
  const search = nextSearch(pools);
  const suggest = nextSuggest(pools);
  return (): NextRequest => {
    const roll = Math.random();
    return roll < 0.7 ? detail() : roll < 0.95 ? search() : suggest();
  };
};

export const MIX = { detail: 0.7, search: 0.25, suggest: 0.05 } as const;

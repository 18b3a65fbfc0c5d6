/**
 * The correctness check of bench:search (and of bench/baseline/baseline.int.test.ts): on
 * filter-only searches, where both designs must agree exactly, Aisle and the CRUD baseline give
 * the same total and the same facet counts; with a price sort (a total order: price, then id)
 * they also give the same first page. Text searches are not compared: fuzziness, stemming and
 * ranking differ by design.
 *
 * On a catalog with variants the baseline, which reads only the products' own rows, cannot give
 * a variant's price, stock or options: there the check keeps the searches whose filters are
 * product properties (category, brand) and compares the total and the brand and category facets.
 */
import { createRandom, mixSeed, type Random } from '../../shared/write-model/seed/seed-data.js';

/** GET a path on one side; status 0 means no answer. */
export type Fetch = (path: string) => Promise<{ readonly status: number; readonly body: string }>;

interface ValueCount {
  readonly value: string | boolean;
  readonly count: number;
}

/** The parts of a /v1/search answer the check compares. */
export interface SearchAnswer {
  readonly total: number;
  readonly items: readonly { readonly id: string }[];
  readonly facets: {
    readonly brand: readonly ValueCount[];
    readonly category: readonly ValueCount[];
    readonly price: readonly { from: number; to: number | null; count: number }[];
    readonly inStock: readonly ValueCount[];
    readonly attributes: Readonly<Record<string, readonly ValueCount[]>>;
  };
}

/** A category of the tree, for searches on a parent (which include its descendants). */
export interface CategoryNode {
  readonly id: string;
  readonly parentId: string | null;
}

export interface CheckQuery {
  readonly path: string;
  /** The first page must be the same products in the same order (a total sort order). */
  readonly sameItems: boolean;
}

export interface Difference {
  readonly path: string;
  readonly what: string;
  readonly aisle: string;
  readonly baseline: string;
}

export interface CheckResult {
  readonly queries: number;
  /** Aisle's total and non-zero facet buckets per search: did the check compare something? */
  readonly totals: readonly {
    readonly path: string;
    readonly total: number;
    readonly buckets: number;
  }[];
  readonly differences: readonly Difference[];
}

const counted = (list: readonly ValueCount[]): string =>
  list
    .map((c) => `${String(c.value)}=${c.count}`)
    .sort()
    .join(' ');

/** Parameters whose meaning does not depend on variants (size is the page size). */
const PRODUCT_LEVEL_PARAMS: ReadonlySet<string> = new Set(['size', 'category', 'brand']);

/** A search only a product's own properties decide (no price, stock, attribute or sort). */
export const productLevelOnly = (query: CheckQuery): boolean =>
  [...new URLSearchParams(query.path.split('?')[1] ?? '').keys()].every((name) =>
    PRODUCT_LEVEL_PARAMS.has(name),
  );

/**
 * Every difference between two answers to the same filter-only search; with `productLevel`,
 * only the total and the brand and category facets (what a catalog with variants lets a
 * variant-blind baseline answer alike).
 */
export function compareAnswers(
  query: CheckQuery,
  aisle: SearchAnswer,
  baseline: SearchAnswer,
  productLevel = false,
): Difference[] {
  const out: Difference[] = [];
  const differ = (what: string, a: string, b: string) => {
    if (a !== b) out.push({ path: query.path, what, aisle: a, baseline: b });
  };
  differ('total', String(aisle.total), String(baseline.total));
  differ('facets.brand', counted(aisle.facets.brand), counted(baseline.facets.brand));
  differ('facets.category', counted(aisle.facets.category), counted(baseline.facets.category));
  if (productLevel) return out;
  const prices = (answer: SearchAnswer) =>
    answer.facets.price.map((p) => `[${p.from},${p.to ?? ''})=${p.count}`).join(' ');
  differ('facets.price', prices(aisle), prices(baseline));
  differ('facets.inStock', counted(aisle.facets.inStock), counted(baseline.facets.inStock));
  const names = (answer: SearchAnswer) => Object.keys(answer.facets.attributes).sort();
  differ('facets.attributes names', names(aisle).join(' '), names(baseline).join(' '));
  for (const name of names(aisle)) {
    differ(
      `facets.attributes.${name}`,
      counted(aisle.facets.attributes[name] ?? []),
      counted(baseline.facets.attributes[name] ?? []),
    );
  }
  if (query.sameItems) {
    const ids = (answer: SearchAnswer) => answer.items.map((i) => i.id).join(' ');
    differ('items', ids(aisle), ids(baseline));
  }
  return out;
}

const topValues = (list: readonly ValueCount[], n: number): string[] =>
  list.slice(0, n).map((c) => String(c.value));

const path = (params: [string, string][]): string =>
  `/v1/search?${new URLSearchParams([['size', '5'], ...params]).toString()}`;

type Params = [string, string][];

const attributeParam = (answer: SearchAnswer, name: string, i = 0): Params => {
  const value = answer.facets.attributes[name]?.[i]?.value;
  return value === undefined ? [] : [[`attr.${name}`, String(value)]];
};

/**
 * The category whose products the combinations search in: the root above the most frequent
 * category (the facets only name the categories products sit in; a root covers descendants).
 */
export function scopeCategory(
  browse: SearchAnswer,
  categories: readonly CategoryNode[],
): string | undefined {
  const parentOf = new Map(categories.map((c) => [c.id, c.parentId]));
  let id = browse.facets.category[0]?.value;
  if (typeof id !== 'string') return undefined;
  for (let up = parentOf.get(id); up; up = parentOf.get(up)) id = up;
  return id;
}

/** Each filter alone (and two values of one), from the values the catalog really has. */
function singleFilters(browse: SearchAnswer, categories: readonly CategoryNode[], seed: number) {
  const random: Random = createRandom(mixSeed(seed, 0xc0ec));
  const f = browse.facets;
  const [brand = 'none', brand2 = brand] = topValues(f.brand, 2);
  const names = Object.keys(f.attributes).sort();
  const [name1 = 'color', name2 = name1] = names;
  const inner = categories.filter((c) => c.parentId !== null);
  const list: Params[] = [
    [],
    ...topValues(f.category, 3).map((id): Params => [['category', id]]),
    ...random.sample(inner, Math.min(2, inner.length)).map((c): Params => [['category', c.id]]),
    [['brand', brand]],
    [
      ['brand', brand],
      ['brand', brand2],
    ],
    ...names.map((n) => attributeParam(browse, n)),
    [...attributeParam(browse, name1, 0), ...attributeParam(browse, name1, 1)],
    [...attributeParam(browse, name1), ...attributeParam(browse, name2)],
    [['price_min', '2500']],
    [['price_max', '5000']],
    [
      ['price_min', '1000'],
      ['price_max', '10000'],
    ],
    [['in_stock', 'true']],
    [['category', '00000000-0000-4000-8000-000000000000']],
    [['category', 'not-a-category-id']],
    [['brand', 'No Such Brand']],
  ];
  return { list, brand };
}

/** Filters combined within one category, with values its products have (`scoped` facets). */
function combinations(category: string, scoped: SearchAnswer): Params[] {
  const f = scoped.facets;
  const brand = String(f.brand[0]?.value ?? 'none');
  const [name1 = 'color', name2 = name1] = Object.keys(f.attributes).sort();
  const within: Params = [['category', category]];
  return [
    [...within, ['brand', brand], ['in_stock', 'true']],
    [['brand', brand], ...attributeParam(scoped, name1), ['price_max', '10000']],
    [...within, ...attributeParam(scoped, name2), ['in_stock', 'true']],
    [
      ...within,
      ['brand', brand],
      ['price_min', '1000'],
      ['in_stock', 'true'],
      ...attributeParam(scoped, name1),
    ],
  ];
}

/**
 * Filter-only searches covering every filter alone and in combination, built from the values
 * the catalog really has (Aisle's browse facets, and its facets within `scope` for the
 * combinations) and from `categories` (the tree, for parents, which include descendants).
 */
export function filterOnlyQueries(
  browse: SearchAnswer,
  scope: { readonly category: string; readonly answer: SearchAnswer } | undefined,
  categories: readonly CategoryNode[],
  seed: number,
): CheckQuery[] {
  const { list, brand } = singleFilters(browse, categories, seed);
  const combined = scope === undefined ? [] : combinations(scope.category, scope.answer);
  const queries: CheckQuery[] = [...list, ...combined].map((params) => ({
    path: path(params),
    sameItems: false,
  }));
  queries.push(
    { path: path([['sort', 'price_asc']]), sameItems: true },
    {
      path: path([
        ['brand', brand],
        ['sort', 'price_desc'],
        ['page', '2'],
      ]),
      sameItems: true,
    },
  );
  return queries;
}

function nonZeroBuckets(answer: SearchAnswer): number {
  const f = answer.facets;
  const lists = [f.brand, f.category, f.price, f.inStock, ...Object.values(f.attributes)];
  return lists.reduce((n, list) => n + list.filter((b) => b.count > 0).length, 0);
}

/** A 503 (past the request deadline on a busy box) is asked again, a second apart. */
const RETRIES_ON_503 = 4;

async function answer(fetch: Fetch, side: string, query: string): Promise<SearchAnswer> {
  let reply = await fetch(query);
  for (let retry = 0; reply.status === 503 && retry < RETRIES_ON_503; retry++) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    reply = await fetch(query);
  }
  if (reply.status !== 200) {
    const hint = reply.status === 503 ? ' (too slow for the request deadline: see --deadline)' : '';
    throw new Error(
      `${side} answered ${reply.status} to ${query}${hint}: ${reply.body.slice(0, 300)}`,
    );
  }
  return JSON.parse(reply.body) as SearchAnswer;
}

/**
 * Builds the queries from Aisle's browse answer and compares both sides on each; `productLevel`
 * (a catalog with variants) keeps the product-level searches and parts (see the header).
 */
export async function checkFilterParity(
  aisle: Fetch,
  baseline: Fetch,
  categories: readonly CategoryNode[],
  seed: number,
  productLevel = false,
): Promise<CheckResult> {
  const browse = await answer(aisle, 'Aisle', path([]));
  const category = scopeCategory(browse, categories);
  const scope =
    category === undefined
      ? undefined
      : { category, answer: await answer(aisle, 'Aisle', path([['category', category]])) };
  const queries = filterOnlyQueries(browse, scope, categories, seed).filter(
    (q) => !productLevel || productLevelOnly(q),
  );
  const differences: Difference[] = [];
  const totals: { path: string; total: number; buckets: number }[] = [];
  for (const query of queries) {
    const [a, b] = await Promise.all([
      answer(aisle, 'Aisle', query.path),
      answer(baseline, 'the baseline', query.path),
    ]);
    totals.push({ path: query.path, total: a.total, buckets: nonZeroBuckets(a) });
    differences.push(...compareAnswers(query, a, b, productLevel));
  }
  return { queries: queries.length, totals, differences };
}

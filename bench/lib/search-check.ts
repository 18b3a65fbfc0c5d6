/**
 * The correctness check of bench:search (and of bench/baseline/baseline.int.test.ts): on
 * filter-only searches, where both designs must agree exactly, Aisle and the CRUD baseline give
 * the same total and the same facet counts; with a price sort (a total order: price, then id)
 * they also give the same first page. Text searches are not compared: fuzziness, stemming and
 * ranking differ by design.
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
  /** Aisle's total for each search, to see that the check compared something. */
  readonly totals: readonly { readonly path: string; readonly total: number }[];
  readonly differences: readonly Difference[];
}

const counted = (list: readonly ValueCount[]): string =>
  list
    .map((c) => `${String(c.value)}=${c.count}`)
    .sort()
    .join(' ');

/** Every difference between two answers to the same filter-only search. */
export function compareAnswers(
  query: CheckQuery,
  aisle: SearchAnswer,
  baseline: SearchAnswer,
): Difference[] {
  const out: Difference[] = [];
  const differ = (what: string, a: string, b: string) => {
    if (a !== b) out.push({ path: query.path, what, aisle: a, baseline: b });
  };
  differ('total', String(aisle.total), String(baseline.total));
  differ('facets.brand', counted(aisle.facets.brand), counted(baseline.facets.brand));
  differ('facets.category', counted(aisle.facets.category), counted(baseline.facets.category));
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

/**
 * Filter-only searches covering every filter alone and in combination, built from the values
 * the catalog really has (Aisle's browse facets) and from `categories` (parent categories, to
 * cover descendants; the facets only name the categories products sit in).
 */
export function filterOnlyQueries(
  browse: SearchAnswer,
  categories: readonly string[],
  seed: number,
): CheckQuery[] {
  const random: Random = createRandom(mixSeed(seed, 0xc0ec));
  const f = browse.facets;
  const brands = topValues(f.brand, 3);
  const leaves = topValues(f.category, 3);
  const parents =
    categories.length === 0 ? [] : random.sample(categories, Math.min(3, categories.length));
  const names = Object.keys(f.attributes).sort();
  const attr = (name: string, i = 0): [string, string][] => {
    const value = f.attributes[name]?.[i]?.value;
    return value === undefined ? [] : [[`attr.${name}`, String(value)]];
  };
  const [brand = 'none', brand2 = brand] = brands;
  const [leaf = 'none'] = leaves;
  const [parent = leaf] = parents;
  const [name1 = 'color', name2 = name1] = names;
  const list: [string, string][][] = [
    [],
    ...[...leaves, ...parents].map((id): [string, string][] => [['category', id]]),
    [['brand', brand]],
    [
      ['brand', brand],
      ['brand', brand2],
    ],
    ...names.map((n) => attr(n)),
    [...attr(name1, 0), ...attr(name1, 1)],
    [...attr(name1), ...attr(name2)],
    [['price_min', '2500']],
    [['price_max', '5000']],
    [
      ['price_min', '1000'],
      ['price_max', '10000'],
    ],
    [['in_stock', 'true']],
    [
      ['category', parent],
      ['brand', brand],
      ['in_stock', 'true'],
    ],
    [['brand', brand], ...attr(name1), ['price_max', '10000']],
    [['category', parent], ...attr(name2), ['in_stock', 'true']],
    [
      ['category', parent],
      ['brand', brand],
      ['price_min', '1000'],
      ['in_stock', 'true'],
      ...attr(name1),
      ...attr(name2),
    ],
    [['category', '00000000-0000-4000-8000-000000000000']],
    [['category', 'not-a-category-id']],
    [['brand', 'No Such Brand']],
  ];
  const queries: CheckQuery[] = list.map((params) => ({ path: path(params), sameItems: false }));
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

async function answer(fetch: Fetch, side: string, query: string): Promise<SearchAnswer> {
  const reply = await fetch(query);
  if (reply.status !== 200) {
    throw new Error(`${side} answered ${reply.status} to ${query}: ${reply.body.slice(0, 300)}`);
  }
  return JSON.parse(reply.body) as SearchAnswer;
}

/** Builds the queries from Aisle's browse answer and compares both sides on each. */
export async function checkFilterParity(
  aisle: Fetch,
  baseline: Fetch,
  categories: readonly string[],
  seed: number,
): Promise<CheckResult> {
  const browse = await answer(aisle, 'Aisle', path([]));
  const queries = filterOnlyQueries(browse, categories, seed);
  const differences: Difference[] = [];
  const totals: { path: string; total: number }[] = [];
  for (const query of queries) {
    const [a, b] = await Promise.all([
      answer(aisle, 'Aisle', query.path),
      answer(baseline, 'the baseline', query.path),
    ]);
    totals.push({ path: query.path, total: a.total });
    differences.push(...compareAnswers(query, a, b));
  }
  return { queries: queries.length, totals, differences };
}

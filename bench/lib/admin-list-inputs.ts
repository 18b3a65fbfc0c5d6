/**
 * The request shapes of bench:admin-list and their inputs, sampled from the catalog itself
 * (words, SKUs, brands, categories, keys deep in the listing), and what Postgres does with each
 * shape: the plan's indexes and the execution time of the listing query alone.
 */
import type { Pool } from '../../shared/stores/postgres.js';
import { encodeCursor } from '../../shared/write-model/products/list-cursor.js';
import {
  buildListQuery,
  type ProductListFilters,
} from '../../shared/write-model/products/list-query.js';
import { summarize, type LatencySummary } from './stats.js';

/** One request shape with the inputs it cycles through. */
export interface Scenario {
  readonly name: string;
  readonly describe: string;
  readonly inputs: readonly ProductListFilters[];
}

const SIZE = 50;

async function sampleRows(db: Pool) {
  const { rows } = await db.query<{
    name: string;
    sku: string;
    brand: string | null;
    category_id: string | null;
  }>(
    `SELECT name, sku, brand, category_id FROM products WHERE status <> 'deleted'
      ORDER BY random() LIMIT 100`,
  );
  if (rows.length === 0) throw new Error('the catalog is empty: seed it first');
  return rows;
}

/** Keys at random depths in the older half of the listing, as a client walking deep holds them. */
async function deepCursors(db: Pool, live: number, count: number) {
  const cursors = [];
  for (let i = 0; i < count; i++) {
    const depth = Math.floor(live / 2 + (Math.random() * live) / 2) - SIZE;
    const { rows } = await db.query<{ u: string; id: string }>(
      `SELECT to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS u, id
         FROM products WHERE status <> 'deleted'
        ORDER BY updated_at DESC, id DESC OFFSET $1 LIMIT 1`,
      [Math.max(0, depth)],
    );
    const row = rows[0];
    if (row !== undefined) cursors.push({ updatedAt: row.u, id: row.id });
  }
  return cursors;
}

export async function buildScenarios(db: Pool, live: number): Promise<Scenario[]> {
  const rows = await sampleRows(db);
  const pick = <T>(list: readonly T[], i: number): T => list[i % list.length] as T;
  const words = rows.map((r) => (r.name.split(' ').at(-1) ?? r.name).toLowerCase());
  const fragments = rows.map((r) => r.sku.slice(Math.max(0, r.sku.length - 7), -1).toLowerCase());
  const brands = [...new Set(rows.flatMap((r) => (r.brand === null ? [] : [r.brand])))];
  const categories = [
    ...new Set(rows.flatMap((r) => (r.category_id === null ? [] : [r.category_id]))),
  ];
  const cursors = await deepCursors(db, live, 20);
  const n = rows.length;
  return [
    { name: 'first-page', describe: `size=${SIZE}, no filter`, inputs: [{ size: SIZE }] },
    {
      name: 'deep-page',
      describe: `size=${SIZE}, cursor in the older half`,
      inputs: cursors.map((cursor) => ({ size: SIZE, cursor })),
    },
    {
      name: 'q-word',
      describe: 'q = a name word (many matches)',
      inputs: Array.from({ length: n }, (_, i) => ({ size: SIZE, q: pick(words, i) })),
    },
    {
      name: 'q-fragment',
      describe: 'q = 6 characters inside a SKU (few matches)',
      inputs: Array.from({ length: n }, (_, i) => ({ size: SIZE, q: pick(fragments, i) })),
    },
    {
      name: 'sku-exact',
      describe: 'sku = an existing SKU',
      inputs: rows.map((r) => ({ size: SIZE, sku: r.sku })),
    },
    {
      name: 'brand-status',
      describe: 'brand + status (published or draft)',
      inputs: Array.from({ length: n }, (_, i) => ({
        size: SIZE,
        brand: pick(brands, i),
        status: i % 2 === 0 ? ('published' as const) : ('draft' as const),
      })),
    },
    {
      name: 'category',
      describe: 'categoryId of a sampled product',
      inputs: Array.from({ length: n }, (_, i) => ({
        size: SIZE,
        categoryId: pick(categories, i),
      })),
    },
  ].filter((s) => s.inputs.length > 0);
}

export function queryString(f: ProductListFilters): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(f)) {
    if (value === undefined) continue;
    params.set(
      key,
      key === 'cursor' ? encodeCursor(value as { updatedAt: string; id: string }) : String(value),
    );
  }
  return params.toString();
}

export async function planOf(db: Pool, f: ProductListFilters) {
  const { text, values } = buildListQuery(f);
  const { rows } = await db.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) ${text}`, [
    ...values,
  ]);
  const indexes = new Set<string>();
  const walk = (node: Record<string, unknown>): void => {
    if (typeof node['Index Name'] === 'string') indexes.add(node['Index Name']);
    for (const child of (node['Plans'] as Record<string, unknown>[] | undefined) ?? []) walk(child);
  };
  const root = (rows[0]?.['QUERY PLAN'] as { Plan: Record<string, unknown> }[])[0]?.Plan ?? {};
  walk(root);
  // Only the page query's own indexes (the price and stock joins always use their keys).
  const own = [...indexes].filter((name) => name.startsWith('products_'));
  return { indexes: own, top: String(root['Node Type']) };
}

/**
 * The listing query's own execution time in Postgres (EXPLAIN ANALYZE), over up to `count`
 * inputs: what the database spends, apart from HTTP, JSON and the event loop.
 */
export async function sqlTimes(
  db: Pool,
  inputs: readonly ProductListFilters[],
  count: number,
): Promise<LatencySummary> {
  const times: number[] = [];
  for (let i = 0; i < Math.min(count, inputs.length * 3); i++) {
    const { text, values } = buildListQuery(inputs[i % inputs.length] as ProductListFilters);
    const { rows } = await db.query<{ 'QUERY PLAN': unknown }>(
      `EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) ${text}`,
      [...values],
    );
    const plan = (rows[0]?.['QUERY PLAN'] as { 'Execution Time': number }[])[0];
    if (plan !== undefined) times.push(plan['Execution Time']);
  }
  return summarize(times);
}

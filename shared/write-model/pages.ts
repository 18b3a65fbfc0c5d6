/**
 * Reading the write model for rebuilds: products, categories and rules in keyset pages (ordered by id,
 * each page one short statement), so memory stays flat whatever the catalog size and no long
 * transaction holds back vacuum unless the caller opens one on purpose.
 *
 * The pages come from the write side's own repositories, so they hold exactly the snapshots
 * `loadProduct` gives: the read models must render what a live event would carry.
 */
export { loadCategoryPage as categoryPage } from './categories/repository.js';
export { loadRulePage as rulePage } from './merchandising/repository.js';
export {
  loadProductPage as productPage,
  type ProductPageFilter as ProductFilter,
} from './products/repository.js';
import type { Queryable } from '../stores/postgres.js';

/**
 * Every page in id order, the next one read while the caller works on the current one. A page
 * shorter than the limit is the last. `signal` stops between pages (Ctrl-C on a long rebuild).
 */
export async function* keysetPages<T extends { readonly id: string }>(
  read: (after: string | null) => Promise<T[]>,
  limit: number,
  signal?: AbortSignal,
): AsyncGenerator<T[]> {
  // Each prefetch is marked handled at once: if the caller fails first, it must not crash the
  // process as an unhandled rejection; its error still surfaces when it is awaited.
  const prefetch = (after: string | null): Promise<T[]> => {
    const promise = read(after);
    promise.catch(() => undefined);
    return promise;
  };
  let next = prefetch(null);
  for (;;) {
    const page = await next;
    if (page.length === 0) return;
    const last = page[page.length - 1];
    next = page.length < limit || last === undefined ? Promise.resolve([]) : prefetch(last.id);
    signal?.throwIfAborted();
    yield page;
  }
}

/** The tables whose rows a rebuild or verify pages through and checks ids against. */
export type PagedTable = 'products' | 'categories' | 'search_rules';

export async function countRows(db: Queryable, table: PagedTable): Promise<number> {
  const { rows } = await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
  return Number(rows[0]?.n ?? 0);
}

/** Ids (lowercase uuid text) among `ids` that exist in `table`; non-uuids never exist. */
export async function existingIds(
  db: Queryable,
  table: PagedTable,
  ids: readonly string[],
): Promise<Set<string>> {
  const uuids = ids.filter((id) => UUID.test(id)).map((id) => id.toLowerCase());
  if (uuids.length === 0) return new Set();
  const { rows } = await db.query<{ id: string }>(
    `SELECT id::text AS id FROM ${table} WHERE id = ANY($1::uuid[])`,
    [uuids],
  );
  return new Set(rows.map((r) => r.id));
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

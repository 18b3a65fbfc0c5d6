/**
 * Reading the write model for rebuilds: products and categories in keyset pages (ordered by id,
 * each page one short statement), so memory stays flat whatever the catalog size and no long
 * transaction holds back vacuum unless the caller opens one on purpose.
 *
 * The product query returns the same snapshot as the write side's `loadProduct` (a test keeps
 * them equal): the read models must render exactly what a live event would carry.
 */
import type {
  AttributeValue,
  CategorySnapshot,
  ProductSnapshot,
  ProductStatus,
} from '../../../shared/events/catalog-events.js';
import type { Queryable } from '../../../shared/stores/postgres.js';

interface ProductRow {
  id: string;
  sku: string;
  name: string;
  description: string;
  brand: string | null;
  category_id: string | null;
  images: string[];
  status: ProductStatus;
  version: string;
  created_at: Date;
  updated_at: Date;
  amount_minor: string | null;
  currency: string | null;
  attributes:
    | {
        name: string;
        kind: 'text' | 'list' | 'number';
        t: string | null;
        l: string[] | null;
        n: number | null;
      }[]
    | null;
  stock: Record<string, number> | null;
}

const PRODUCT_COLUMNS = `
  p.id, p.sku, p.name, p.description, p.brand, p.category_id, p.images, p.status, p.version,
  p.created_at, p.updated_at, pr.amount_minor, pr.currency,
  (SELECT json_agg(json_build_object('name', a.name, 'kind', a.kind, 't', a.text_value,
                                     'l', a.list_value, 'n', a.number_value) ORDER BY a.position)
     FROM product_attributes a WHERE a.product_id = p.id) AS attributes,
  (SELECT json_object_agg(s.warehouse, s.on_hand ORDER BY s.warehouse)
     FROM stock_levels s WHERE s.product_id = p.id) AS stock`;

function attributeValue(a: NonNullable<ProductRow['attributes']>[number]): AttributeValue {
  if (a.kind === 'number') return a.n ?? 0;
  if (a.kind === 'list') return a.l ?? [];
  return a.t ?? '';
}

function toProduct(row: ProductRow): ProductSnapshot {
  const byWarehouse = row.stock ?? {};
  return {
    id: row.id,
    sku: row.sku,
    name: row.name,
    description: row.description,
    brand: row.brand,
    categoryId: row.category_id,
    attributes: Object.fromEntries((row.attributes ?? []).map((a) => [a.name, attributeValue(a)])),
    images: row.images,
    price:
      row.amount_minor === null || row.currency === null
        ? null
        : { amountMinor: Number(row.amount_minor), currency: row.currency },
    stock: { available: Object.values(byWarehouse).reduce((sum, n) => sum + n, 0), byWarehouse },
    status: row.status,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    version: Number(row.version),
  };
}

/**
 * Restricts a product page: `join` may bring in a table aliased as it likes and `where` filter on
 * it. Only constants of this module pass SQL here, never input.
 */
export interface ProductFilter {
  readonly join: string;
  readonly where: string;
}

/** One page of products with an id greater than `after` (all from the start when null). */
export async function productPage(
  db: Queryable,
  after: string | null,
  limit: number,
  filter?: ProductFilter,
): Promise<ProductSnapshot[]> {
  const conditions = [
    ...(after === null ? [] : ['p.id > $2::uuid']),
    ...(filter === undefined ? [] : [filter.where]),
  ];
  const { rows } = await db.query<ProductRow>(
    `SELECT ${PRODUCT_COLUMNS}
       FROM products p LEFT JOIN product_prices pr ON pr.product_id = p.id ${filter?.join ?? ''}
      ${conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : ''}
      ORDER BY p.id LIMIT $1`,
    after === null ? [limit] : [limit, after],
  );
  return rows.map(toProduct);
}

interface CategoryRow {
  id: string;
  slug: string;
  name: string;
  parent_id: string | null;
  version: string;
  created_at: Date;
  updated_at: Date;
}

export async function categoryPage(
  db: Queryable,
  after: string | null,
  limit: number,
): Promise<CategorySnapshot[]> {
  const { rows } = await db.query<CategoryRow>(
    `SELECT id, slug, name, parent_id, version, created_at, updated_at FROM categories
      ${after === null ? '' : 'WHERE id > $2::uuid'} ORDER BY id LIMIT $1`,
    after === null ? [limit] : [limit, after],
  );
  return rows.map((row) => ({
    id: row.id,
    slug: row.slug,
    name: row.name,
    parentId: row.parent_id,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    version: Number(row.version),
  }));
}

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

export async function countRows(db: Queryable, table: 'products' | 'categories'): Promise<number> {
  const { rows } = await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
  return Number(rows[0]?.n ?? 0);
}

/** Ids (lowercase uuid text) among `ids` that exist in `table`; non-uuids never exist. */
export async function existingIds(
  db: Queryable,
  table: 'products' | 'categories',
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

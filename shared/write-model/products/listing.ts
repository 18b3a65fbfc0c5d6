import type { Money, ProductStatus } from '../../events/catalog-events.js';
import type { Queryable } from '../../stores/postgres.js';
import { encodeCursor } from './list-cursor.js';
import { buildListQuery, type ProductListFilters } from './list-query.js';

/** One product of the admin listing (API.md: admin list item). */
export interface ProductListItem {
  readonly id: string;
  readonly sku: string;
  readonly name: string;
  readonly brand: string | null;
  readonly status: ProductStatus;
  readonly version: number;
  readonly price: Money | null;
  readonly available: number;
  /** 0 for a single-SKU product. */
  readonly variantCount: number;
  readonly updatedAt: string;
}

export interface ProductListPage {
  readonly items: readonly ProductListItem[];
  /** Where the next page starts; null on the last page. */
  readonly nextCursor: string | null;
}

interface ListRow {
  id: string;
  sku: string;
  name: string;
  brand: string | null;
  status: ProductStatus;
  version: string;
  updated_at: Date;
  updated_key: string;
  amount_minor: string | null;
  currency: string | null;
  available: string;
  variant_count: string;
}

const toItem = (row: ListRow): ProductListItem => ({
  id: row.id,
  sku: row.sku,
  name: row.name,
  brand: row.brand,
  status: row.status,
  version: Number(row.version),
  price:
    row.amount_minor === null || row.currency === null
      ? null
      : { amountMinor: Number(row.amount_minor), currency: row.currency },
  available: Number(row.available),
  variantCount: Number(row.variant_count),
  updatedAt: row.updated_at.toISOString(),
});

/**
 * A page of the write model, strongly consistent (it reads the rows, not a read model), newest
 * change first. Keyset paging: a page starts strictly after the cursor's (updated_at, id), so
 * rows inserted or moved ahead of it never shift what follows, unlike an offset. A product
 * changed during a walk moves to the front: a walk does not see it again, and
 * `updatedAfter=<walk start>` afterwards catches it.
 */
export async function listProducts(
  db: Queryable,
  filters: ProductListFilters,
): Promise<ProductListPage> {
  const { text, values } = buildListQuery(filters);
  const { rows } = await db.query<ListRow>(text, [...values]);
  const page = rows.slice(0, filters.size);
  const last = page[page.length - 1];
  const nextCursor =
    rows.length > filters.size && last !== undefined
      ? encodeCursor({ updatedAt: last.updated_key, id: last.id })
      : null;
  return { items: page.map(toItem), nextCursor };
}

import {
  withVariantDefaults,
  type FullProductSnapshot,
  type ProductSnapshot,
  type ProductStatus,
} from '../../events/catalog-events.js';
import type { PoolClient, Queryable } from '../../stores/postgres.js';
import {
  attributesJson,
  attributesOf,
  insertAttributes,
  type AttributeRow,
} from './attribute-rows.js';
import {
  insertOptionsAndVariants,
  moneyOf,
  OPTIONS_COLUMN,
  toVariants,
  updateOptionsAndVariants,
  VARIANTS_COLUMN,
  type VariantRow,
} from './variant-repository.js';

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
  attributes: AttributeRow[] | null;
  amount_minor: string | null;
  currency: string | null;
  stock: Record<string, number> | null;
  options: string[] | null;
  variants: VariantRow[] | null;
}

/**
 * The whole aggregate per row: one statement, attributes, stock, options and variants
 * aggregated alongside.
 */
const PRODUCT_SELECT = `
  SELECT p.id, p.sku, p.name, p.description, p.brand, p.category_id, p.images, p.status,
         p.version, p.created_at, p.updated_at, pr.amount_minor, pr.currency,
         ${attributesJson('product_attributes', 'product_id', 'p.id')} AS attributes,
         (SELECT json_object_agg(s.warehouse, s.on_hand ORDER BY s.warehouse)
            FROM stock_levels s WHERE s.product_id = p.id) AS stock,
         ${OPTIONS_COLUMN},
         ${VARIANTS_COLUMN}
    FROM products p LEFT JOIN product_prices pr ON pr.product_id = p.id`;

/**
 * Restricts a product page: `join` brings in a table and `where` filters on it. Only constants
 * of the calling module pass SQL here, never input.
 */
export interface ProductPageFilter {
  readonly join: string;
  readonly where: string;
}

/**
 * Products with an id greater than `after` (from the start when null), in id order: keyset
 * pages for rebuilds, with exactly the snapshots loadProduct gives.
 */
export async function loadProductPage(
  db: Queryable,
  after: string | null,
  limit: number,
  filter?: ProductPageFilter,
): Promise<ProductSnapshot[]> {
  const conditions = [
    ...(after === null ? [] : ['p.id > $2::uuid']),
    ...(filter === undefined ? [] : [filter.where]),
  ];
  const { rows } = await db.query<ProductRow>(
    `${PRODUCT_SELECT} ${filter?.join ?? ''}
      ${conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : ''}
      ORDER BY p.id LIMIT $1`,
    after === null ? [limit] : [limit, after],
  );
  return rows.map(toSnapshot);
}

/**
 * The whole aggregate in one query. With `lock`, the product row is locked first in a statement
 * of its own: under READ COMMITTED a statement that waited for a lock re-reads only the locked
 * row, so loading the stock in that same statement would see the levels from before the wait
 * and lose the other command's update.
 */
export async function loadProduct(
  client: Queryable,
  id: string,
  lock: boolean,
): Promise<ProductSnapshot | undefined> {
  if (lock) {
    const locked = await client.query('SELECT 1 FROM products WHERE id = $1 FOR UPDATE', [id]);
    if (locked.rowCount === 0) return undefined;
  }
  const { rows } = await client.query<ProductRow>(`${PRODUCT_SELECT} WHERE p.id = $1`, [id]);
  const row = rows[0];
  return row === undefined ? undefined : toSnapshot(row);
}

function toSnapshot(row: ProductRow): FullProductSnapshot {
  const byWarehouse = row.stock ?? {};
  const options = row.options ?? [];
  return {
    id: row.id,
    sku: row.sku,
    name: row.name,
    description: row.description,
    brand: row.brand,
    categoryId: row.category_id,
    attributes: attributesOf(row.attributes),
    images: row.images,
    price: moneyOf(row.amount_minor, row.currency),
    stock: { available: Object.values(byWarehouse).reduce((sum, n) => sum + n, 0), byWarehouse },
    status: row.status,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    version: Number(row.version),
    options,
    variants: toVariants(options, row.variants),
  };
}

/**
 * Inserts products (one or a batch) with their attributes, prices, stock, options and variants.
 * The sku_registry triggers register every SKU; a taken one fails on sku_registry_pkey.
 */
export async function insertProducts(
  client: PoolClient,
  snapshots: readonly ProductSnapshot[],
): Promise<void> {
  if (snapshots.length === 0) return;
  const products = snapshots.map(withVariantDefaults);
  await client.query(
    `INSERT INTO products (id, sku, name, description, brand, category_id, images, status, version, created_at, updated_at)
     SELECT id, sku, name, description, brand, category_id, ARRAY(SELECT jsonb_array_elements_text(images)),
            status, version, created_at, updated_at
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::uuid[], $7::jsonb[],
                   $8::text[], $9::bigint[], $10::timestamptz[], $11::timestamptz[])
         AS t(id, sku, name, description, brand, category_id, images, status, version, created_at, updated_at)`,
    [
      products.map((p) => p.id),
      products.map((p) => p.sku),
      products.map((p) => p.name),
      products.map((p) => p.description),
      products.map((p) => p.brand),
      products.map((p) => p.categoryId),
      products.map((p) => JSON.stringify(p.images)),
      products.map((p) => p.status),
      products.map((p) => p.version),
      products.map((p) => p.createdAt),
      products.map((p) => p.updatedAt),
    ],
  );
  await insertAttributes(client, 'product_attributes', 'product_id', products);
  await writePrices(
    client,
    products.filter((p) => p.price !== null),
  );
  await writeStock(
    client,
    products.flatMap((p) =>
      Object.entries(p.stock.byWarehouse).map(([warehouse, onHand]) => ({
        product: p,
        warehouse,
        onHand,
      })),
    ),
  );
  await insertOptionsAndVariants(client, products);
}

export class StaleVersion extends Error {}

/**
 * Writes what a command changed. The version condition is the optimistic guard: with the row
 * lock it always holds, and without it a concurrent writer makes this throw instead of losing
 * an update.
 */
export async function updateProduct(
  client: PoolClient,
  previousSnapshot: ProductSnapshot,
  nextSnapshot: ProductSnapshot,
): Promise<void> {
  const previous = withVariantDefaults(previousSnapshot);
  const next = withVariantDefaults(nextSnapshot);
  const { rowCount } = await client.query(
    `UPDATE products SET name = $3, description = $4, brand = $5, category_id = $6, images = $7,
            status = $8, version = $9, updated_at = $10
      WHERE id = $1 AND version = $2`,
    [
      next.id,
      previous.version,
      next.name,
      next.description,
      next.brand,
      next.categoryId,
      next.images,
      next.status,
      next.version,
      next.updatedAt,
    ],
  );
  if (rowCount !== 1)
    throw new StaleVersion(`product ${next.id} is no longer at version ${previous.version}`);
  if (JSON.stringify(previous.attributes) !== JSON.stringify(next.attributes)) {
    await client.query('DELETE FROM product_attributes WHERE product_id = $1', [next.id]);
    await insertAttributes(client, 'product_attributes', 'product_id', [next]);
  }
  if (JSON.stringify(previous.price) !== JSON.stringify(next.price)) {
    // A product's price goes away only when it moves to its first variant.
    if (next.price === null)
      await client.query('DELETE FROM product_prices WHERE product_id = $1', [next.id]);
    else await writePrices(client, [next]);
  }
  const movedWarehouses = Object.entries(next.stock.byWarehouse).filter(
    ([warehouse, onHand]) =>
      !Object.hasOwn(previous.stock.byWarehouse, warehouse) ||
      previous.stock.byWarehouse[warehouse] !== onHand,
  );
  await writeStock(
    client,
    movedWarehouses.map(([warehouse, onHand]) => ({ product: next, warehouse, onHand })),
  );
  // Warehouses leave a product only when its stock moves to its first variant.
  const gone = Object.keys(previous.stock.byWarehouse).filter(
    (warehouse) => !Object.hasOwn(next.stock.byWarehouse, warehouse),
  );
  if (gone.length > 0) {
    await client.query(
      'DELETE FROM stock_levels WHERE product_id = $1 AND warehouse = ANY($2::text[])',
      [next.id, gone],
    );
  }
  await updateOptionsAndVariants(client, previous, next);
}

async function writePrices(
  client: PoolClient,
  products: readonly ProductSnapshot[],
): Promise<void> {
  if (products.length === 0) return;
  await client.query(
    `INSERT INTO product_prices (product_id, amount_minor, currency, updated_at)
     SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::timestamptz[])
     ON CONFLICT (product_id) DO UPDATE
       SET amount_minor = EXCLUDED.amount_minor, currency = EXCLUDED.currency, updated_at = EXCLUDED.updated_at`,
    [
      products.map((p) => p.id),
      products.map((p) => p.price?.amountMinor),
      products.map((p) => p.price?.currency),
      products.map((p) => p.updatedAt),
    ],
  );
}

async function writeStock(
  client: PoolClient,
  levels: readonly { product: ProductSnapshot; warehouse: string; onHand: number }[],
): Promise<void> {
  if (levels.length === 0) return;
  await client.query(
    `INSERT INTO stock_levels (product_id, warehouse, on_hand, updated_at)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::bigint[], $4::timestamptz[])
     ON CONFLICT (product_id, warehouse) DO UPDATE
       SET on_hand = EXCLUDED.on_hand, updated_at = EXCLUDED.updated_at`,
    [
      levels.map((l) => l.product.id),
      levels.map((l) => l.warehouse),
      levels.map((l) => l.onHand),
      levels.map((l) => l.product.updatedAt),
    ],
  );
}

/**
 * Category references are checked before writing so the client gets a clear 422. The share lock
 * holds the category until commit: a concurrent delete waits, then counts this product; a delete
 * that committed first makes the re-checked row fail `deleted_at IS NULL`.
 */
export async function categoryExists(client: PoolClient, id: string): Promise<boolean> {
  const { rowCount } = await client.query(
    'SELECT 1 FROM categories WHERE id = $1 AND deleted_at IS NULL FOR SHARE',
    [id],
  );
  return rowCount === 1;
}

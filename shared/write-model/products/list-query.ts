import type { ProductStatus } from '../../events/catalog-events.js';
import type { ListCursor } from './list-cursor.js';

export const productListLimits = {
  sizeDefault: 50,
  sizeMax: 200,
  qMax: 200,
} as const;

/** The admin listing's filters, already validated by the route's JSON Schema. */
export interface ProductListFilters {
  /** Name or SKU contains this, case-insensitive. */
  readonly q?: string | undefined;
  /** Exactly this status; without it every status but `deleted`. */
  readonly status?: ProductStatus | undefined;
  /** Filed directly under this category (not its descendants). */
  readonly categoryId?: string | undefined;
  /** Exactly this brand (case-sensitive, as stored). */
  readonly brand?: string | undefined;
  /** The product owning this SKU exactly. */
  readonly sku?: string | undefined;
  /** Changed strictly after this instant (ISO 8601). */
  readonly updatedAfter?: string | undefined;
  readonly size: number;
  readonly cursor?: ListCursor | undefined;
}

export interface SqlQuery {
  readonly text: string;
  readonly values: readonly unknown[];
}

/** `%` and `_` in the client's text are literal characters, not LIKE wildcards. */
export const likeContains = (text: string): string => `%${text.replace(/[\\%_]/g, '\\$&')}%`;

/**
 * The products owning a SKU, their own or one of their variants'. A live SKU is one primary key
 * lookup in sku_registry (migration 0006), which holds every live product and variant SKU.
 * Deleted products left the registry: their own SKUs are found by products_sku_deleted, their
 * variants' by product_variants_sku (the listing's status condition keeps only deleted owners).
 */
const skuOwners = (param: string, deleted: boolean): string =>
  deleted
    ? `SELECT o.id FROM products o WHERE o.sku = ${param} AND o.status = 'deleted'` +
      ` UNION ALL SELECT v.product_id FROM product_variants v WHERE v.sku = ${param}`
    : `SELECT r.product_id FROM sku_registry r WHERE r.sku = ${param}`;

/**
 * The WHERE conditions and their values, in order (pure; values are only ever parameters).
 * Every condition keeps the walk on an index in (updated_at DESC, id DESC) order: the plain one,
 * or the one led by the status, category or brand equality (migration 0003). `q` is answered by
 * the trigram indexes on lower(name) and lower(sku) (migration 0005).
 */
export function listConditions(f: ProductListFilters): { conditions: string[]; values: unknown[] } {
  const conditions: string[] = [];
  const values: unknown[] = [];
  const param = (value: unknown, type: string): string => {
    values.push(value);
    return `$${values.length}::${type}`;
  };
  conditions.push(
    f.status === undefined ? "p.status <> 'deleted'" : `p.status = ${param(f.status, 'text')}`,
  );
  if (f.categoryId !== undefined) conditions.push(`p.category_id = ${param(f.categoryId, 'uuid')}`);
  if (f.brand !== undefined) conditions.push(`p.brand = ${param(f.brand, 'text')}`);
  if (f.sku !== undefined) {
    conditions.push(`p.id IN (${skuOwners(param(f.sku, 'text'), f.status === 'deleted')})`);
  }
  if (f.updatedAfter !== undefined) {
    conditions.push(`p.updated_at > ${param(f.updatedAfter, 'timestamptz')}`);
  }
  if (f.q !== undefined) {
    // lower() on both sides, as the trigram indexes are built (migration 0005).
    const pattern = `lower(${param(likeContains(f.q), 'text')})`;
    conditions.push(`(lower(p.name) LIKE ${pattern} OR lower(p.sku) LIKE ${pattern})`);
  }
  if (f.cursor !== undefined) {
    const after = `(${param(f.cursor.updatedAt, 'timestamptz')}, ${param(f.cursor.id, 'uuid')})`;
    conditions.push(`(p.updated_at, p.id) < ${after}`);
  }
  return { conditions, values };
}

/**
 * One page, newest change first, plus one row to know whether another page follows. The inner
 * query picks the page on the products table alone (its LIMIT keeps Postgres from pulling it
 * up); price, stock and variants are joined for those rows only, never for every match.
 * A product with variants has no price or stock of its own: its price is its lowest variant
 * price (one currency per product) and its stock the sum over its variants.
 * `updated_key` is the sort key at full precision, for the next cursor.
 */
export function buildListQuery(f: ProductListFilters): SqlQuery {
  const { conditions, values } = listConditions(f);
  values.push(f.size + 1);
  const text = `
SELECT p.id, p.sku, p.name, p.brand, p.status, p.version, p.updated_at,
       to_char(p.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS updated_key,
       coalesce(pr.amount_minor, vp.amount_minor) AS amount_minor,
       coalesce(pr.currency, vp.currency) AS currency,
       (SELECT coalesce(sum(s.on_hand), 0) FROM stock_levels s WHERE s.product_id = p.id)
         + (SELECT coalesce(sum(vs.on_hand), 0)
              FROM product_variants v JOIN variant_stock_levels vs ON vs.variant_id = v.id
             WHERE v.product_id = p.id) AS available,
       (SELECT count(*) FROM product_variants v WHERE v.product_id = p.id) AS variant_count
  FROM (SELECT p.id, p.sku, p.name, p.brand, p.status, p.version, p.updated_at
          FROM products p
         WHERE ${conditions.join('\n           AND ')}
         ORDER BY p.updated_at DESC, p.id DESC
         LIMIT $${values.length}::int) AS p
  LEFT JOIN product_prices pr ON pr.product_id = p.id
  LEFT JOIN LATERAL (SELECT vpr.amount_minor, vpr.currency
                       FROM product_variants v JOIN variant_prices vpr ON vpr.variant_id = v.id
                      WHERE v.product_id = p.id
                      ORDER BY vpr.amount_minor LIMIT 1) AS vp ON pr.product_id IS NULL
 ORDER BY p.updated_at DESC, p.id DESC`;
  return { text, values };
}

/**
 * What the CRUD baseline adds to the write model's tables so that search is not a sequential
 * scan: a stored tsvector over name (weight A), brand (B) and description (C) with a GIN index,
 * and B-tree/GIN indexes for every filter and join the search statement uses. Idempotent, and
 * serialized by an advisory lock so several instances starting together create each thing once.
 * Run at start, in the schema the baseline is pointed at.
 *
 * Adding the column rewrites `products` under an exclusive lock: a one-off on a bench schema,
 * not something to run against a live catalog during writes.
 */
import type { Pool } from '../../shared/stores/postgres.js';
import { TEXT_CONFIG } from './sql.js';

export const SEARCH_VECTOR = `setweight(to_tsvector('${TEXT_CONFIG}', name), 'A')
  || setweight(to_tsvector('${TEXT_CONFIG}', coalesce(brand, '')), 'B')
  || setweight(to_tsvector('${TEXT_CONFIG}', description), 'C')`;

export const BASELINE_DDL: readonly string[] = [
  `ALTER TABLE products ADD COLUMN IF NOT EXISTS search_vector tsvector
     GENERATED ALWAYS AS (${SEARCH_VECTOR}) STORED`,
  `CREATE INDEX IF NOT EXISTS baseline_products_text ON products USING gin (search_vector)
     WHERE status = 'published'`,
  `CREATE INDEX IF NOT EXISTS baseline_products_brand ON products (brand)
     WHERE status = 'published'`,
  `CREATE INDEX IF NOT EXISTS baseline_products_category ON products (category_id)
     WHERE status = 'published'`,
  `CREATE INDEX IF NOT EXISTS baseline_products_newest ON products (created_at DESC, id)
     WHERE status = 'published'`,
  'CREATE INDEX IF NOT EXISTS baseline_prices_amount ON product_prices (amount_minor, product_id)',
  'CREATE INDEX IF NOT EXISTS baseline_stock_available ON stock_levels (product_id) WHERE on_hand > 0',
  `CREATE INDEX IF NOT EXISTS baseline_attributes_text ON product_attributes (name, text_value)
     WHERE text_value IS NOT NULL`,
  `CREATE INDEX IF NOT EXISTS baseline_attributes_list ON product_attributes USING gin (list_value)
     WHERE list_value IS NOT NULL`,
  `CREATE INDEX IF NOT EXISTS baseline_attributes_number
     ON product_attributes (name, (number_value::text)) WHERE number_value IS NOT NULL`,
  'CREATE INDEX IF NOT EXISTS baseline_categories_parent ON categories (parent_id)',
];

const ANALYZE = 'ANALYZE products, product_prices, stock_levels, product_attributes, categories';

export interface SchemaReport {
  readonly ms: number;
  /** Whether this start added the search_vector column (and so rewrote products). */
  readonly addedColumn: boolean;
}

export async function ensureBaselineSchema(pool: Pool, schema: string): Promise<SchemaReport> {
  const started = Date.now();
  const client = await pool.connect();
  try {
    // Building indexes on a large catalog takes minutes: no request deadline here.
    await client.query('SET statement_timeout = 0');
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${schema}.baseline`]);
    const { rows } = await client.query<{ present: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM information_schema.columns
         WHERE table_schema = $1 AND table_name = 'products' AND column_name = 'search_vector')
         AS present`,
      [schema],
    );
    for (const statement of BASELINE_DDL) await client.query(statement);
    await client.query('COMMIT');
    // Fresh statistics for the new column and indexes (and after a bulk import).
    await client.query(ANALYZE);
    return { ms: Date.now() - started, addedColumn: rows[0]?.present !== true };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    // Back to the pool's own deadline before the connection serves searches.
    await client.query('RESET statement_timeout').catch(() => undefined);
    client.release();
  }
}

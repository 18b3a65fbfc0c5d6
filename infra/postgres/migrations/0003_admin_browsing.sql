-- Admin browsing: the product listing (GET /admin/v1/products) and category deletion.
--
-- On a large catalog that already exists, build the product indexes first with
-- CREATE INDEX CONCURRENTLY (same names, same definitions) so writes are not blocked while they
-- build; every statement below is IF NOT EXISTS and then skips them.

-- A deleted category keeps its row, like a deleted product: its version keeps growing (the read
-- models hold a versioned tombstone), its id is never reused, and products deleted earlier may
-- still reference it. Only live categories take part in the tree and in sibling slug checks.
ALTER TABLE categories ADD COLUMN deleted_at timestamptz;
DROP INDEX categories_sibling_slug;
CREATE UNIQUE INDEX categories_sibling_slug
  ON categories (COALESCE(parent_id, '00000000-0000-0000-0000-000000000000'::uuid), slug)
  WHERE deleted_at IS NULL;
-- "Has it children?" before a delete.
CREATE INDEX IF NOT EXISTS categories_parent ON categories (parent_id) WHERE deleted_at IS NULL;

-- The listing walks products newest change first, keyset by (updated_at, id). One index per
-- equality filter keeps that order, so a filtered page reads only the rows it returns.
CREATE INDEX IF NOT EXISTS products_updated ON products (updated_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS products_status_updated
  ON products (status, updated_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS products_category_updated
  ON products (category_id, updated_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS products_brand_updated ON products (brand, updated_at DESC, id DESC);
-- `sku=` finds any product (deleted ones too, with status=deleted); products_sku_live only
-- covers live ones. Variant SKUs will get their own index on their own table.
CREATE INDEX IF NOT EXISTS products_sku ON products (sku);

-- `q` (name or SKU contains, case-insensitive) is ILIKE '%q%', which a trigram GIN index answers.
-- The extension is database-wide, so it lives in one fixed schema (public), never in an Aisle
-- schema: dropping that schema would drop the extension and every other schema's indexes on it.
-- The lock serializes installs from schemas migrating at the same time (tests, several
-- instances); each migration runs in one transaction, so it is held until the install commits.
SELECT pg_advisory_xact_lock(hashtext('aisle:create-extension:pg_trgm'));
CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public;
DO $$
DECLARE
  ext_schema name := (SELECT n.nspname FROM pg_extension e
                        JOIN pg_namespace n ON n.oid = e.extnamespace
                       WHERE e.extname = 'pg_trgm');
BEGIN
  -- The operator class is named with its schema: the connection's search_path holds only the
  -- Aisle schema, and the extension may have been installed elsewhere before.
  EXECUTE format('CREATE INDEX IF NOT EXISTS products_name_trgm ON products USING gin (name %I.gin_trgm_ops)', ext_schema);
  EXECUTE format('CREATE INDEX IF NOT EXISTS products_sku_trgm ON products USING gin (sku %I.gin_trgm_ops)', ext_schema);
END;
$$;

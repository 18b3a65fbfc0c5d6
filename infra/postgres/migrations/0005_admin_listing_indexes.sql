-- Corrects the listing indexes of 0003 (which stays as applied: its checksum is recorded).
--
-- 1. The trigram indexes move onto lower(name) / lower(sku). pg_trgm 1.6 also answers equality
--    from a trigram index, so a plain-column trigram index on sku was picked by the importer's
--    `sku = ANY($1)` check while the table had no statistics yet (an import into a fresh
--    catalog), and that plan reads the posting lists of trigrams every SKU shares: the 100k
--    import test went from 100 s to 520 s. An expression index answers only queries on that
--    expression, so it serves `lower(name) LIKE lower('%q%')` and nothing else.
-- 2. `sku=` on live products uses products_sku_live; deleted products (status=deleted) get a
--    partial index of their own, which a write to a live product never touches.
-- 3. products_category (0002) is covered by products_category_updated: one index less to
--    maintain on every product write.

DROP INDEX IF EXISTS products_name_trgm;
DROP INDEX IF EXISTS products_sku_trgm;
DROP INDEX IF EXISTS products_sku;
DROP INDEX IF EXISTS products_category;

CREATE INDEX IF NOT EXISTS products_sku_deleted ON products (sku) WHERE status = 'deleted';

-- See 0003: the extension lives in one fixed schema, named here with the operator class.
SELECT pg_advisory_xact_lock(hashtext('aisle:create-extension:pg_trgm'));
CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public;
DO $$
DECLARE
  ext_schema name := (SELECT n.nspname FROM pg_extension e
                        JOIN pg_namespace n ON n.oid = e.extnamespace
                       WHERE e.extname = 'pg_trgm');
BEGIN
  EXECUTE format('CREATE INDEX IF NOT EXISTS products_name_lower_trgm ON products USING gin (lower(name) %I.gin_trgm_ops)', ext_schema);
  EXECUTE format('CREATE INDEX IF NOT EXISTS products_sku_lower_trgm ON products USING gin (lower(sku) %I.gin_trgm_ops)', ext_schema);
END;
$$;

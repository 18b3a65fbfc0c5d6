-- catalog-read counts views per product and flushes one event per product with its count
-- (`views`), so a row is one product's views in one flush window, not one view. Rows written
-- before this column existed were one view each: DEFAULT 1 gives them that on read and merge.
-- Readers sum(views) over FINAL: a retried job repeats its event ids, collapsed by the key.
-- 18.16 has no ADD COLUMN IF NOT EXISTS; the migration runner treats "the column is already
-- there" as applied, so a second instance re-running this file is harmless.
ALTER TABLE {db}.product_views ADD COLUMN views UInt32 DEFAULT 1;

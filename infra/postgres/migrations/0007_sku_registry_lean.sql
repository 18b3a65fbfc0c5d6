-- The sku_registry of 0006 without its foreign keys: each cost a referential check per
-- registered SKU (a SELECT ... FOR KEY SHARE for every row an import inserts) and, for the
-- product, one more index to maintain, on the hottest write path there is. The registry is
-- written only by the triggers on products and product_variants, so its rows point at rows
-- that exist; products are never removed (a deleted product keeps its row, status 'deleted'),
-- and a removed variant's registry row now goes by a trigger instead of ON DELETE CASCADE.

ALTER TABLE sku_registry DROP CONSTRAINT sku_registry_product_id_fkey;
ALTER TABLE sku_registry DROP CONSTRAINT sku_registry_variant_id_fkey;
DROP INDEX sku_registry_product;

-- A deleted product frees its own SKU (a primary key lookup) and its variants' SKUs (found by
-- the product's variants, then the registry's unique index on variant_id).
CREATE OR REPLACE FUNCTION sku_registry_product_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM sku_registry WHERE sku = NEW.sku AND product_id = NEW.id AND variant_id IS NULL;
  DELETE FROM sku_registry r USING product_variants v
   WHERE v.product_id = NEW.id AND r.variant_id = v.id;
  RETURN NULL;
END;
$$;

CREATE FUNCTION sku_registry_variants_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM sku_registry r USING removed_variants v WHERE r.variant_id = v.id;
  RETURN NULL;
END;
$$;
CREATE TRIGGER sku_registry_variants_removed AFTER DELETE ON product_variants
  REFERENCING OLD TABLE AS removed_variants
  FOR EACH STATEMENT EXECUTE FUNCTION sku_registry_variants_removed();

-- Product variants (API.md "Variants"): a product may declare up to three ordered option names
-- and sell variants, each a SKU with one value per option, its own price, attributes, images and
-- stock per warehouse. All of it changes under the product's version and row lock, like the
-- product's own rows.

CREATE TABLE product_options (
  product_id uuid NOT NULL REFERENCES products (id) ON DELETE CASCADE,
  position smallint NOT NULL CHECK (position BETWEEN 0 AND 2),
  name text NOT NULL,
  PRIMARY KEY (product_id, position),
  CONSTRAINT product_options_name UNIQUE (product_id, name)
);

-- option_values holds one value per option, in the order of the product's options, so one
-- unique constraint makes an option combination unique within its product. position orders the
-- variants (a key, not an index: removing a variant leaves a gap, adding one goes after the last).
CREATE TABLE product_variants (
  id uuid PRIMARY KEY,
  product_id uuid NOT NULL REFERENCES products (id) ON DELETE CASCADE,
  sku text NOT NULL,
  position integer NOT NULL CHECK (position >= 0),
  option_values text[] NOT NULL CHECK (cardinality(option_values) BETWEEN 1 AND 3),
  images text[] NOT NULL,
  CONSTRAINT product_variants_combination UNIQUE (product_id, option_values),
  CONSTRAINT product_variants_position UNIQUE (product_id, position)
);
-- `sku=` of the admin listing finds a product by a variant's SKU, deleted products included.
CREATE INDEX product_variants_sku ON product_variants (sku);

-- Same shape and rules as product_attributes.
CREATE TABLE variant_attributes (
  variant_id uuid NOT NULL REFERENCES product_variants (id) ON DELETE CASCADE,
  name text NOT NULL,
  position smallint NOT NULL,
  kind text NOT NULL CHECK (kind IN ('text', 'list', 'number')),
  text_value text,
  list_value text[],
  number_value double precision,
  PRIMARY KEY (variant_id, name),
  CHECK (
    (kind = 'text' AND text_value IS NOT NULL AND list_value IS NULL AND number_value IS NULL) OR
    (kind = 'list' AND list_value IS NOT NULL AND text_value IS NULL AND number_value IS NULL) OR
    (kind = 'number' AND number_value IS NOT NULL AND text_value IS NULL AND list_value IS NULL)
  )
);

CREATE TABLE variant_prices (
  variant_id uuid PRIMARY KEY REFERENCES product_variants (id) ON DELETE CASCADE,
  amount_minor bigint NOT NULL CHECK (amount_minor >= 0),
  currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  updated_at timestamptz NOT NULL
);

-- As for products: stock on hand never goes below zero, enforced here too.
CREATE TABLE variant_stock_levels (
  variant_id uuid NOT NULL REFERENCES product_variants (id) ON DELETE CASCADE,
  warehouse text NOT NULL,
  on_hand bigint NOT NULL CHECK (on_hand >= 0),
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (variant_id, warehouse)
);

-- One namespace for every live SKU, a product's or a variant's: its primary key is what makes
-- SKUs unique across products and variants, race-free (two transactions taking one SKU meet on
-- the index, whichever table they write). A check-then-insert trigger across the two tables
-- would need a lock of its own to be safe, and a unique index cannot span two tables.
-- The triggers below keep the registry in step with the tables whatever path writes them (a
-- command, an import, a test fixture); a product that is deleted frees its SKU and its
-- variants' SKUs, as a deleted product always freed its own (products_sku_live).
CREATE TABLE sku_registry (
  sku text PRIMARY KEY,
  product_id uuid NOT NULL REFERENCES products (id) ON DELETE CASCADE,
  -- null for the product's own SKU
  variant_id uuid UNIQUE REFERENCES product_variants (id) ON DELETE CASCADE
);
CREATE INDEX sku_registry_product ON sku_registry (product_id);

INSERT INTO sku_registry (sku, product_id)
  SELECT sku, id FROM products WHERE status <> 'deleted' ORDER BY sku;

-- Statement-level with a transition table: an import inserts a batch in one statement, and its
-- SKUs reach the registry in one statement too (in SKU order, like the importer's own inserts,
-- so concurrent imports take the index locks in one order).
CREATE FUNCTION sku_registry_products_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO sku_registry (sku, product_id)
    SELECT sku, id FROM inserted_products WHERE status <> 'deleted' ORDER BY sku;
  RETURN NULL;
END;
$$;
CREATE TRIGGER sku_registry_products_inserted AFTER INSERT ON products
  REFERENCING NEW TABLE AS inserted_products
  FOR EACH STATEMENT EXECUTE FUNCTION sku_registry_products_inserted();

-- Row-level with a WHEN clause: the condition is checked without calling the function, so the
-- hot path (price and stock commands update the product row) pays nearly nothing.
CREATE FUNCTION sku_registry_product_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM sku_registry WHERE product_id = NEW.id;
  RETURN NULL;
END;
$$;
CREATE TRIGGER sku_registry_product_deleted AFTER UPDATE OF status ON products
  FOR EACH ROW WHEN (NEW.status = 'deleted' AND OLD.status <> 'deleted')
  EXECUTE FUNCTION sku_registry_product_deleted();

CREATE FUNCTION sku_registry_variants_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO sku_registry (sku, product_id, variant_id)
    SELECT sku, product_id, id FROM inserted_variants ORDER BY sku;
  RETURN NULL;
END;
$$;
CREATE TRIGGER sku_registry_variants_inserted AFTER INSERT ON product_variants
  REFERENCING NEW TABLE AS inserted_variants
  FOR EACH STATEMENT EXECUTE FUNCTION sku_registry_variants_inserted();

CREATE FUNCTION sku_registry_variant_renamed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE sku_registry SET sku = NEW.sku WHERE variant_id = NEW.id;
  RETURN NULL;
END;
$$;
CREATE TRIGGER sku_registry_variant_renamed AFTER UPDATE OF sku ON product_variants
  FOR EACH ROW WHEN (NEW.sku IS DISTINCT FROM OLD.sku)
  EXECUTE FUNCTION sku_registry_variant_renamed();
-- A removed variant's registry row goes with it (ON DELETE CASCADE on variant_id).

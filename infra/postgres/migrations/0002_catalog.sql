-- The normalized write model. Every change to these rows commits together with its outbox event.

CREATE TABLE categories (
  id uuid PRIMARY KEY,
  slug text NOT NULL,
  name text NOT NULL,
  parent_id uuid REFERENCES categories (id),
  version bigint NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  CHECK (parent_id IS DISTINCT FROM id)
);
-- Slugs are unique among siblings; roots are siblings of each other.
CREATE UNIQUE INDEX categories_sibling_slug
  ON categories (COALESCE(parent_id, '00000000-0000-0000-0000-000000000000'::uuid), slug);

CREATE TABLE products (
  id uuid PRIMARY KEY,
  sku text NOT NULL,
  name text NOT NULL,
  description text NOT NULL,
  brand text,
  category_id uuid REFERENCES categories (id),
  images text[] NOT NULL,
  status text NOT NULL CHECK (status IN ('draft', 'published', 'archived', 'deleted')),
  version bigint NOT NULL CHECK (version > 0),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
-- A deleted product frees its SKU.
CREATE UNIQUE INDEX products_sku_live ON products (sku) WHERE status <> 'deleted';
CREATE INDEX products_category ON products (category_id) WHERE status <> 'deleted';

-- One row per attribute; exactly one value column is set, by kind. position keeps client order.
CREATE TABLE product_attributes (
  product_id uuid NOT NULL REFERENCES products (id) ON DELETE CASCADE,
  name text NOT NULL,
  position smallint NOT NULL,
  kind text NOT NULL CHECK (kind IN ('text', 'list', 'number')),
  text_value text,
  list_value text[],
  number_value double precision,
  PRIMARY KEY (product_id, name),
  CHECK (
    (kind = 'text' AND text_value IS NOT NULL AND list_value IS NULL AND number_value IS NULL) OR
    (kind = 'list' AND list_value IS NOT NULL AND text_value IS NULL AND number_value IS NULL) OR
    (kind = 'number' AND number_value IS NOT NULL AND text_value IS NULL AND list_value IS NULL)
  )
);

CREATE TABLE product_prices (
  product_id uuid PRIMARY KEY REFERENCES products (id) ON DELETE CASCADE,
  amount_minor bigint NOT NULL CHECK (amount_minor >= 0),
  currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  updated_at timestamptz NOT NULL
);

-- The database enforces the rule too: stock on hand never goes below zero.
CREATE TABLE stock_levels (
  product_id uuid NOT NULL REFERENCES products (id) ON DELETE CASCADE,
  warehouse text NOT NULL,
  on_hand bigint NOT NULL CHECK (on_hand >= 0),
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (product_id, warehouse)
);

-- Stripe-style idempotency keys, scoped to the caller (a hash of its token). The stored
-- response is written in the same transaction as the command it answers.
CREATE TABLE idempotency_keys (
  principal text NOT NULL,
  key text NOT NULL,
  request_hash text NOT NULL,
  state text NOT NULL CHECK (state IN ('started', 'completed')),
  response_status integer,
  response_headers jsonb,
  response_body text,
  locked_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (principal, key)
);
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);

CREATE TABLE imports (
  id uuid PRIMARY KEY,
  state text NOT NULL CHECK (state IN ('receiving', 'processing', 'completed', 'failed')),
  bytes_total bigint NOT NULL DEFAULT 0,
  bytes_processed bigint NOT NULL DEFAULT 0,
  lines_read bigint NOT NULL DEFAULT 0,
  accepted bigint NOT NULL DEFAULT 0,
  rejected bigint NOT NULL DEFAULT 0,
  error text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  finished_at timestamptz
);

CREATE TABLE import_rejections (
  import_id uuid NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
  line bigint NOT NULL,
  reason text NOT NULL,
  PRIMARY KEY (import_id, line)
);

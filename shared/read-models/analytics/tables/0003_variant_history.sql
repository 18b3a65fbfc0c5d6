-- Price and stock history per variant (API.md "Variants"): one row per (event, variant) the event
-- prices or moves: each priced variant of a ProductCreated, the variant of a VariantAdded,
-- VariantPriceChanged or VariantStockAdjusted. catalog_events keeps one row per event (keyed on
-- the event id, so it cannot hold several variants of one event); product-level history stays
-- there. Retried inserts repeat a row with the same key: read with FINAL or uniqExact.
CREATE TABLE IF NOT EXISTS {db}.variant_history (
  event_id UUID,
  event_type String,
  product_id UUID,
  variant_id UUID,
  version UInt64,
  occurred_at DateTime,
  sku String,
  price_minor Nullable(Int64),
  currency Nullable(String),
  stock_available Nullable(Int64),
  stock_delta Nullable(Int64),
  warehouse Nullable(String),
  reason Nullable(String),
  inserted_at DateTime DEFAULT now()
) ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (product_id, variant_id, event_id);

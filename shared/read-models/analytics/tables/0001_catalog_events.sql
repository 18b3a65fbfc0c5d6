-- Every catalog change the write side committed, one row per outbox event.
-- Retried inserts repeat a row with the same key; ReplacingMergeTree collapses them on merge and
-- readers use FINAL or uniqExact(event_id) so duplicates never count twice before that.
CREATE TABLE IF NOT EXISTS {db}.catalog_events (
  event_id UUID,
  event_type String,
  product_id UUID,
  version UInt64,
  occurred_at DateTime,
  sku String,
  status String,
  price_minor Nullable(Int64),
  currency Nullable(String),
  stock_available Nullable(Int64),
  stock_delta Nullable(Int64),
  warehouse Nullable(String),
  reason Nullable(String),
  inserted_at DateTime DEFAULT now()
) ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (product_id, event_id);

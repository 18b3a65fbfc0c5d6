-- Storefront usage recorded off the request path by catalog-read.
CREATE TABLE IF NOT EXISTS {db}.storefront_searches (
  event_id UUID,
  occurred_at DateTime,
  query String,
  normalized_query String,
  filters String,
  result_count UInt32,
  latency_ms UInt32
) ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (occurred_at, event_id);

CREATE TABLE IF NOT EXISTS {db}.product_views (
  event_id UUID,
  occurred_at DateTime,
  product_id UUID
) ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (product_id, occurred_at, event_id);

-- The transactional outbox: a command inserts its event here in the same transaction as its
-- rows (DESIGN rule 1). The relay claims unpublished rows with FOR UPDATE SKIP LOCKED and marks
-- them published only after every projection queue accepted them.
CREATE TABLE outbox (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id uuid NOT NULL UNIQUE,
  event_type text NOT NULL,
  aggregate_type text NOT NULL,
  aggregate_id uuid NOT NULL,
  aggregate_version bigint NOT NULL,
  payload jsonb NOT NULL,
  correlation_id text,
  occurred_at timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz
);

-- The relay's work list stays small however long published rows are retained.
CREATE INDEX outbox_unpublished ON outbox (id) WHERE published_at IS NULL;
CREATE INDEX outbox_published_at ON outbox (published_at) WHERE published_at IS NOT NULL;

-- Wakes relays at commit time; they also poll, so a lost notification only delays delivery.
CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify(TG_TABLE_SCHEMA || '.outbox', '');
  RETURN NULL;
END;
$$;

CREATE TRIGGER outbox_inserted AFTER INSERT ON outbox
  FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();

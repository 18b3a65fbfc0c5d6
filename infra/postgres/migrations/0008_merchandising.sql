-- Search merchandising (DESIGN "Merchandising"): the synonym set and the query rules are
-- write-side data. Every change to these rows commits together with its outbox event
-- (SynonymsReplaced, SearchRuleCreated/Changed/Deleted), which carries the full snapshot.

-- One row: the whole synonym set, its Solr-format lines as the admin sent them (comments and
-- blank lines kept). No row yet means the set was never stored: `aisle bootstrap` inserts the
-- repo's initial set (infra/search/synonyms.txt) as version 1.
CREATE TABLE synonym_sets (
  id uuid PRIMARY KEY CHECK (id = '00000000-0000-4000-8000-000000000001'),
  version bigint NOT NULL CHECK (version > 0),
  lines text[] NOT NULL,
  updated_at timestamptz NOT NULL
);

-- A rule pins products first on page 1 and hides others for the queries it matches. Products
-- are referenced by id without a foreign key: a rule outlives a product deleted later (the read
-- side skips ids it does not find), and a product delete need not look at rules.
CREATE TABLE search_rules (
  id uuid PRIMARY KEY,
  version bigint NOT NULL CHECK (version > 0),
  query text NOT NULL,
  match text NOT NULL CHECK (match IN ('exact', 'phrase')),
  pin uuid[] NOT NULL,
  hide uuid[] NOT NULL,
  active_from timestamptz,
  active_to timestamptz,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  -- A deleted rule keeps its row (a versioned tombstone), as categories do.
  deleted_at timestamptz,
  CHECK (cardinality(pin) + cardinality(hide) > 0),
  CHECK (active_from IS NULL OR active_to IS NULL OR active_to > active_from)
);

-- The admin listing: live rules, newest change first.
CREATE INDEX search_rules_live_by_change ON search_rules (updated_at DESC, id DESC)
  WHERE deleted_at IS NULL;

import {
  SYNONYM_SET_ID,
  type RuleMatch,
  type SearchRuleSnapshot,
  type SynonymSetSnapshot,
} from '../../events/merchandising-events.js';
import type { PoolClient, Queryable } from '../../stores/postgres.js';

interface SynonymSetRow {
  version: string;
  lines: string[];
  updated_at: Date;
}

/** The stored synonym set; undefined when none was ever stored (see initial-synonyms.ts). */
export async function loadSynonymSet(db: Queryable): Promise<SynonymSetSnapshot | undefined> {
  const { rows } = await db.query<SynonymSetRow>(
    'SELECT version, lines, updated_at FROM synonym_sets WHERE id = $1',
    [SYNONYM_SET_ID],
  );
  const row = rows[0];
  return row === undefined
    ? undefined
    : { version: Number(row.version), lines: row.lines, updatedAt: row.updated_at.toISOString() };
}

/**
 * Serializes changes to the synonym set, the first one included: before a set exists there is
 * no row to lock FOR UPDATE, and two first writes must not both decide "version 1".
 */
export async function lockSynonymSet(client: PoolClient): Promise<void> {
  await client.query("SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.synonym-set'))");
}

/** Stores the set; false when `previous` is given and the stored version is no longer it. */
export async function saveSynonymSet(
  client: PoolClient,
  previous: SynonymSetSnapshot | undefined,
  next: SynonymSetSnapshot,
): Promise<boolean> {
  const { rowCount } =
    previous === undefined
      ? await client.query(
          `INSERT INTO synonym_sets (id, version, lines, updated_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (id) DO NOTHING`,
          [SYNONYM_SET_ID, next.version, next.lines, next.updatedAt],
        )
      : await client.query(
          `UPDATE synonym_sets SET version = $3, lines = $4, updated_at = $5
            WHERE id = $1 AND version = $2`,
          [SYNONYM_SET_ID, previous.version, next.version, next.lines, next.updatedAt],
        );
  return rowCount === 1;
}

interface RuleRow {
  id: string;
  version: string;
  query: string;
  match: RuleMatch;
  pin: string[];
  hide: string[];
  active_from: Date | null;
  active_to: Date | null;
  created_at: Date;
  updated_at: Date;
  deleted_at: Date | null;
}

const COLUMNS =
  'id, version, query, match, pin, hide, active_from, active_to, created_at, updated_at, deleted_at';
/** Deleted rules keep their row (a versioned tombstone); these see only the live ones. */
const LIVE = 'deleted_at IS NULL';

function toSnapshot(row: RuleRow): SearchRuleSnapshot {
  return {
    id: row.id,
    version: Number(row.version),
    query: row.query,
    match: row.match,
    pin: row.pin,
    hide: row.hide,
    activeFrom: row.active_from?.toISOString() ?? null,
    activeTo: row.active_to?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    ...(row.deleted_at === null ? {} : { deleted: true as const }),
  };
}

/** A live rule; with `lock`, its row is locked until commit. */
export async function loadRule(
  db: Queryable,
  id: string,
  lock: boolean,
): Promise<SearchRuleSnapshot | undefined> {
  const { rows } = await db.query<RuleRow>(
    `SELECT ${COLUMNS} FROM search_rules WHERE id = $1 AND ${LIVE} ${lock ? 'FOR UPDATE' : ''}`,
    [id],
  );
  return rows[0] === undefined ? undefined : toSnapshot(rows[0]);
}

/** Every live rule, newest change first (the admin listing, strongly consistent). */
export async function loadLiveRules(db: Queryable): Promise<SearchRuleSnapshot[]> {
  const { rows } = await db.query<RuleRow>(
    `SELECT ${COLUMNS} FROM search_rules WHERE ${LIVE} ORDER BY updated_at DESC, id DESC`,
  );
  return rows.map(toSnapshot);
}

/**
 * Rules in id order after `after`, deleted ones included as their tombstones: the pages that
 * `aisle rebuild merchandising` and `aisle verify` compare the read model with.
 */
export async function loadRulePage(
  db: Queryable,
  after: string | null,
  limit: number,
): Promise<SearchRuleSnapshot[]> {
  const { rows } = await db.query<RuleRow>(
    `SELECT ${COLUMNS} FROM search_rules
      ${after === null ? '' : 'WHERE id > $2::uuid'} ORDER BY id LIMIT $1`,
    after === null ? [limit] : [limit, after],
  );
  return rows.map(toSnapshot);
}

/** These rules as stored, deleted ones included; ids that are no rule are absent. */
export async function loadRulesById(
  db: Queryable,
  ids: readonly string[],
): Promise<SearchRuleSnapshot[]> {
  if (ids.length === 0) return [];
  const { rows } = await db.query<RuleRow>(
    `SELECT ${COLUMNS} FROM search_rules WHERE id = ANY($1::uuid[])`,
    [ids],
  );
  return rows.map(toSnapshot);
}

export async function insertRule(client: PoolClient, r: SearchRuleSnapshot): Promise<void> {
  await client.query(
    `INSERT INTO search_rules (id, version, query, match, pin, hide, active_from, active_to,
                               created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      r.id,
      r.version,
      r.query,
      r.match,
      r.pin,
      r.hide,
      r.activeFrom,
      r.activeTo,
      r.createdAt,
      r.updatedAt,
    ],
  );
}

export async function updateRule(
  client: PoolClient,
  previous: SearchRuleSnapshot,
  next: SearchRuleSnapshot,
): Promise<boolean> {
  const { rowCount } = await client.query(
    `UPDATE search_rules SET version = $3, query = $4, match = $5, pin = $6, hide = $7,
            active_from = $8, active_to = $9, updated_at = $10, deleted_at = $11
      WHERE id = $1 AND version = $2`,
    [
      next.id,
      previous.version,
      next.version,
      next.query,
      next.match,
      next.pin,
      next.hide,
      next.activeFrom,
      next.activeTo,
      next.updatedAt,
      next.deleted === true ? next.updatedAt : null,
    ],
  );
  return rowCount === 1;
}

/**
 * Of these ids, the ones with no live product. Checked when the rule is written, without a lock:
 * a product deleted afterwards leaves the rule valid, its id skipped by the read side.
 */
export async function missingProducts(db: Queryable, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const { rows } = await db.query<{ id: string }>(
    `SELECT id FROM products WHERE id = ANY($1::uuid[]) AND status <> 'deleted'`,
    [ids],
  );
  const live = new Set(rows.map((r) => r.id));
  return ids.filter((id) => !live.has(id));
}

import type { Pool } from '../../shared/stores/postgres.js';

/** Tables that record requests, not catalog state: a refused request may write them. */
const NOT_WRITE_MODEL = new Set(['idempotency_keys', 'schema_migrations']);

/**
 * A fingerprint per write-model table: its row count and the newest row version (xmin). Any
 * committed insert or update writes a row version newer than every other, and a delete lowers
 * the count, so the pair changes whenever the table does, without reading row contents.
 */
export type Fingerprint = ReadonlyMap<string, string>;

/**
 * Fingerprints every table of the write model in one statement, so "a refused request stored
 * nothing" is checked on rows and the outbox, not on one GET.
 */
export async function writeModelProbe(
  pool: Pool,
  schema: string,
): Promise<() => Promise<Fingerprint>> {
  const { rows } = await pool.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables
      WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY table_name`,
    [schema],
  );
  const tables = rows.map((r) => r.table_name).filter((name) => !NOT_WRITE_MODEL.has(name));
  if (!tables.includes('outbox')) throw new Error(`no outbox table in schema ${schema}`);
  const sql = tables
    .map(
      (name) =>
        `SELECT '${name}' AS name,
                count(*)::text || ':' || coalesce(max(xmin::text::bigint), 0)::text AS print
           FROM "${schema}"."${name}"`,
    )
    .join(' UNION ALL ');
  return async () => {
    const result = await pool.query<{ name: string; print: string }>(sql);
    return new Map(result.rows.map((r) => [r.name, r.print]));
  };
}

/** The tables whose fingerprint differs, e.g. `outbox (3 -> 4 rows)`. */
export function changedTables(before: Fingerprint, after: Fingerprint): string[] {
  const changed: string[] = [];
  for (const [name, print] of after) {
    const old = before.get(name);
    if (old === print) continue;
    const count = (p: string | undefined) => p?.split(':')[0] ?? '?';
    changed.push(`${name} (${count(old)} -> ${count(print)} rows)`);
  }
  return changed;
}

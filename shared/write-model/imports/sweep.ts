import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Pool } from '../../stores/postgres.js';

/** What a client reads on an import that a crash or a restart cut short. */
export const INTERRUPTED =
  'interrupted: the import stopped making progress (the service stopped or crashed); submit it again';

/**
 * Imports that have not recorded progress for `staleAfterMs` are not running anywhere: a live
 * import commits a batch (and its progress) every few hundred lines. They are marked failed so a
 * client polling them gets an answer instead of `processing` forever. Any catalog-write instance
 * may sweep; the UPDATE is idempotent.
 */
export async function failStaleImports(pool: Pool, staleAfterMs: number): Promise<string[]> {
  const { rows } = await pool.query<{ id: string }>(
    `UPDATE imports
        SET state = 'failed', error = $2, finished_at = now(), updated_at = now()
      WHERE state IN ('receiving', 'processing')
        AND updated_at < now() - make_interval(secs => $1::double precision / 1000)
      RETURNING id`,
    [staleAfterMs, INTERRUPTED],
  );
  return rows.map((r) => r.id);
}

const SPOOL_FILE = /^aisle-import-[0-9a-f-]{36}\.ndjson$/;

/**
 * Spool files left by a crashed process: older than `staleAfterMs` and not being read by an
 * import of this process. Only Aisle's own file names are considered.
 */
export async function removeOrphanSpools(
  dir: string,
  inUse: ReadonlySet<string>,
  staleAfterMs: number,
  now: number = Date.now(),
): Promise<number> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names.filter((n) => SPOOL_FILE.test(n))) {
    const path = join(dir, name);
    if (inUse.has(path)) continue;
    const info = await stat(path).catch(() => undefined);
    if (info === undefined || now - info.mtimeMs < staleAfterMs) continue;
    await rm(path, { force: true });
    removed += 1;
  }
  return removed;
}

import type { Pool, PoolClient } from '../../stores/postgres.js';

export type ImportState = 'receiving' | 'processing' | 'completed' | 'failed';

export interface Rejection {
  readonly line: number;
  readonly reason: string;
}

export interface ImportView {
  readonly importId: string;
  readonly state: ImportState;
  readonly done: boolean;
  readonly bytesTotal: number;
  readonly bytesProcessed: number;
  readonly linesRead: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly rejections: readonly Rejection[];
  readonly rejectionsTruncated?: true;
  readonly error?: string;
  readonly createdAt: string;
  readonly finishedAt?: string;
}

/** What one committed batch adds to an import's progress. */
export interface Progress {
  readonly linesRead: number;
  readonly bytesProcessed: number;
  readonly accepted: number;
  readonly rejections: readonly Rejection[];
  /** The last batch also closes the import. */
  readonly completed: boolean;
}

interface ImportRow {
  id: string;
  state: ImportState;
  bytes_total: string;
  bytes_processed: string;
  lines_read: string;
  accepted: string;
  rejected: string;
  error: string | null;
  created_at: Date;
  finished_at: Date | null;
}

export async function insertImport(
  client: PoolClient,
  id: string,
  bytesTotal: number,
): Promise<void> {
  await client.query(
    `INSERT INTO imports (id, state, bytes_total, created_at, updated_at)
     VALUES ($1, 'processing', $2, now(), now())`,
    [id, bytesTotal],
  );
}

/** The import with its first `rejectionLimit` rejections by line, or undefined. */
export async function loadImport(
  pool: Pool,
  id: string,
  rejectionLimit: number,
): Promise<ImportView | undefined> {
  const { rows } = await pool.query<ImportRow>(
    `SELECT id, state, bytes_total, bytes_processed, lines_read, accepted, rejected, error,
            created_at, finished_at
       FROM imports WHERE id = $1`,
    [id],
  );
  const row = rows[0];
  if (row === undefined) return undefined;
  const rejections = await pool.query<{ line: string; reason: string }>(
    `SELECT line, reason FROM import_rejections WHERE import_id = $1 ORDER BY line LIMIT $2`,
    [id, rejectionLimit + 1],
  );
  const truncated = rejections.rows.length > rejectionLimit;
  return {
    importId: row.id,
    state: row.state,
    done: row.state === 'completed' || row.state === 'failed',
    bytesTotal: Number(row.bytes_total),
    bytesProcessed: Number(row.bytes_processed),
    linesRead: Number(row.lines_read),
    accepted: Number(row.accepted),
    rejected: Number(row.rejected),
    rejections: rejections.rows
      .slice(0, rejectionLimit)
      .map((r) => ({ line: Number(r.line), reason: r.reason })),
    ...(truncated ? { rejectionsTruncated: true as const } : {}),
    ...(row.error === null ? {} : { error: row.error }),
    createdAt: row.created_at.toISOString(),
    ...(row.finished_at === null ? {} : { finishedAt: row.finished_at.toISOString() }),
  };
}

/** Records a batch's progress and rejections, in the batch's transaction. */
export async function recordProgress(
  client: PoolClient,
  id: string,
  progress: Progress,
): Promise<void> {
  const { rejections } = progress;
  if (rejections.length > 0) {
    await client.query(
      `INSERT INTO import_rejections (import_id, line, reason)
       SELECT $1, * FROM unnest($2::bigint[], $3::text[])
       ON CONFLICT (import_id, line) DO NOTHING`,
      [id, rejections.map((r) => r.line), rejections.map((r) => printableReason(r.reason))],
    );
  }
  await client.query(
    `UPDATE imports
        SET lines_read = $2, bytes_processed = $3, accepted = accepted + $4,
            rejected = rejected + $5, updated_at = now(),
            state = CASE WHEN $6::boolean THEN 'completed' ELSE state END,
            finished_at = CASE WHEN $6::boolean THEN now() ELSE finished_at END
      WHERE id = $1`,
    [
      id,
      progress.linesRead,
      progress.bytesProcessed,
      progress.accepted,
      rejections.length,
      progress.completed,
    ],
  );
}

const UNPRINTABLE =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u001f\u007f]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * A reason quotes the line it refuses (a JSON parser's message does), and that text may hold NUL
 * (a UTF-16 file read as UTF-8) or lone surrogates that Postgres cannot store: those are written
 * as \uXXXX escapes, so the reason is stored and the import goes on.
 */
export function printableReason(reason: string): string {
  const escaped = reason.replace(
    UNPRINTABLE,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return escaped.length > 1_000 ? `${escaped.slice(0, 999)}…` : escaped;
}

export async function markFailed(pool: Pool, id: string, error: string): Promise<void> {
  await pool.query(
    `UPDATE imports SET state = 'failed', error = $2, finished_at = now(), updated_at = now()
      WHERE id = $1 AND state IN ('receiving', 'processing')`,
    [id, printableReason(error)],
  );
}

/** Of these SKUs, the ones a live product or variant holds (the sku_registry, migration 0006). */
export async function takenSkus(client: PoolClient, skus: readonly string[]): Promise<Set<string>> {
  if (skus.length === 0) return new Set();
  const { rows } = await client.query<{ sku: string }>(
    'SELECT sku FROM sku_registry WHERE sku = ANY($1::text[])',
    [skus],
  );
  return new Set(rows.map((r) => r.sku));
}

/** Of these category ids, the ones that exist, locked against removal until commit. */
export async function existingCategories(
  client: PoolClient,
  ids: readonly string[],
): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const { rows } = await client.query<{ id: string }>(
    `SELECT id FROM categories WHERE id = ANY($1::uuid[]) AND deleted_at IS NULL
      ORDER BY id FOR SHARE`,
    [ids],
  );
  return new Set(rows.map((r) => r.id));
}

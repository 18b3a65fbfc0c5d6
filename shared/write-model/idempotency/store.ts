import { randomUUID } from 'node:crypto';
import { Problem } from '../../http/problems.js';
import type { Pool, PoolClient } from '../../stores/postgres.js';

export interface StoredResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export type Claim =
  | { readonly kind: 'claimed'; readonly token: string }
  | { readonly kind: 'replay'; readonly response: StoredResponse }
  | { readonly kind: 'mismatch' }
  | { readonly kind: 'in_progress' };

export interface KeyRef {
  readonly principal: string;
  readonly key: string;
  /** The claim this request holds; only it may complete or release the key. */
  readonly token?: string;
}

/**
 * A key that is still `started` after this long most likely belongs to a request that died
 * before its transaction committed (the response is stored in that transaction), so it may be
 * claimed again. Should the first request still be running, its claim token no longer matches
 * and its transaction cannot commit (completeKey throws): the command runs once either way.
 */
const ABANDONED_AFTER_SECONDS = 60;

/** Claims a key for one request, or says why not. Exactly one of concurrent claims succeeds. */
export async function claimKey(
  pool: Pool,
  ref: KeyRef,
  requestHash: string,
  ttlSeconds: number,
): Promise<Claim> {
  await pool.query(
    `DELETE FROM idempotency_keys
      WHERE principal = $1 AND key = $2
        AND (expires_at < now() OR (state = 'started' AND locked_at < now() - make_interval(secs => $3)))`,
    [ref.principal, ref.key, ABANDONED_AFTER_SECONDS],
  );
  const token = randomUUID();
  const inserted = await pool.query(
    `INSERT INTO idempotency_keys
       (principal, key, request_hash, state, locked_at, expires_at, claim_token)
     VALUES ($1, $2, $3, 'started', now(), now() + make_interval(secs => $4), $5)
     ON CONFLICT (principal, key) DO NOTHING`,
    [ref.principal, ref.key, requestHash, ttlSeconds, token],
  );
  if (inserted.rowCount === 1) return { kind: 'claimed', token };
  const { rows } = await pool.query<{
    request_hash: string;
    state: string;
    response_status: number | null;
    response_headers: Record<string, string> | null;
    response_body: string | null;
  }>(
    `SELECT request_hash, state, response_status, response_headers, response_body
       FROM idempotency_keys WHERE principal = $1 AND key = $2`,
    [ref.principal, ref.key],
  );
  const row = rows[0];
  if (row === undefined) return claimKey(pool, ref, requestHash, ttlSeconds);
  if (row.request_hash !== requestHash) return { kind: 'mismatch' };
  if (row.state !== 'completed' || row.response_status === null) return { kind: 'in_progress' };
  return {
    kind: 'replay',
    response: {
      status: row.response_status,
      headers: row.response_headers ?? {},
      body: row.response_body ?? '',
    },
  };
}

/** The key's claim was taken over (it looked abandoned): this request must not commit. */
export const claimLost = (): Problem =>
  new Problem(
    'idempotency_key_in_use',
    'a retry claimed this Idempotency-Key while this request ran; this attempt was rolled back',
  );

/**
 * Stores the response; inside a command's transaction it commits (or not) with the command.
 * Resolves false, or with `requireClaim` throws a 409 Problem (rolling the transaction back),
 * when this request's claim no longer holds the key.
 */
export async function completeKey(
  db: Pool | PoolClient,
  ref: KeyRef,
  response: StoredResponse,
  requireClaim = false,
): Promise<boolean> {
  const result = await db.query(
    `UPDATE idempotency_keys
        SET state = 'completed', response_status = $3, response_headers = $4, response_body = $5
      WHERE principal = $1 AND key = $2 AND state = 'started'
        AND ($6::uuid IS NULL OR claim_token = $6)`,
    [
      ref.principal,
      ref.key,
      response.status,
      JSON.stringify(response.headers),
      response.body,
      ref.token ?? null,
    ],
  );
  const held = result.rowCount === 1;
  if (!held && requireClaim) throw claimLost();
  return held;
}

/** Frees a key whose request failed on our side (5xx), so the client's retry runs again. */
export async function releaseKey(pool: Pool, ref: KeyRef): Promise<void> {
  await pool.query(
    `DELETE FROM idempotency_keys
      WHERE principal = $1 AND key = $2 AND state = 'started'
        AND ($3::uuid IS NULL OR claim_token = $3)`,
    [ref.principal, ref.key, ref.token ?? null],
  );
}

export async function pruneExpiredKeys(pool: Pool): Promise<number> {
  const { rowCount } = await pool.query('DELETE FROM idempotency_keys WHERE expires_at < now()');
  return rowCount ?? 0;
}

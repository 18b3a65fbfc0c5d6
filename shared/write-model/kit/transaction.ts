import { withTransaction, type Pool, type PoolClient } from '../../stores/postgres.js';

/**
 * A command's transaction. Commands run at read committed: each one locks the rows it decides
 * on (SELECT ... FOR UPDATE), which orders concurrent commands without serialization retries.
 */
export function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  return withTransaction(pool, work, { isolation: 'read committed' });
}

/** Postgres error details the command layer maps to client errors. */
export function pgErrorOf(error: unknown): { code?: string; constraint?: string } {
  if (typeof error !== 'object' || error === null) return {};
  const { code, constraint } = error as { code?: unknown; constraint?: unknown };
  return {
    ...(typeof code === 'string' ? { code } : {}),
    ...(typeof constraint === 'string' ? { constraint } : {}),
  };
}

import pg from 'pg';
import type { StoreHandle } from './store.js';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;
/** Either: a one-off query on the pool, or a statement in a transaction's client. */
export type Queryable = pg.Pool | pg.PoolClient;

export interface PostgresOptions {
  readonly url: string;
  readonly schema: string;
  readonly poolMax: number;
  readonly applicationName: string;
}

/** Every connection resolves unqualified names in the configured schema (tests use their own). */
export function openPostgres(opts: PostgresOptions): StoreHandle<Pool> {
  const pool = new pg.Pool({
    connectionString: opts.url,
    max: opts.poolMax,
    application_name: opts.applicationName,
    options: `-c search_path=${opts.schema}`,
    connectionTimeoutMillis: 5_000,
  });
  // An idle client losing its server must not crash the process; the next checkout reconnects.
  pool.on('error', () => undefined);
  return {
    name: 'postgres',
    client: pool,
    ping: async () => {
      await pool.query('SELECT 1');
    },
    close: () => pool.end(),
  };
}

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

export type IsolationLevel = 'read committed' | 'repeatable read' | 'serializable';

export interface TransactionOptions {
  /** Omitted: the server's default (read committed unless the database says otherwise). */
  readonly isolation?: IsolationLevel;
  readonly readOnly?: boolean;
}

/** The statement that opens a transaction with these options. */
export function beginStatement(options: TransactionOptions = {}): string {
  const parts = ['BEGIN'];
  if (options.isolation !== undefined)
    parts.push(`ISOLATION LEVEL ${options.isolation.toUpperCase()}`);
  if (options.readOnly === true) parts.push('READ ONLY');
  return parts.join(' ');
}

/** A checked-out client has no error listener; losing its server would crash the process. */
const ignoreClientError = (): void => undefined;

/**
 * Runs `work` in one transaction on one client: commit when it resolves, roll back when it
 * throws (the work's error is the one rethrown). A client whose rollback fails is in an unknown
 * state (a lost connection, a transaction still open), so it is destroyed instead of pooled.
 * A server lost mid-transaction surfaces as the next statement's rejection, not as a crash.
 */
export async function withTransaction<T>(
  pool: Pool,
  work: (client: PoolClient) => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  const client = await pool.connect();
  client.on('error', ignoreClientError);
  let broken: Error | undefined;
  try {
    await client.query(beginStatement(options));
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    broken = await client.query('ROLLBACK').then(
      () => undefined,
      (rollbackError: unknown) =>
        rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError)),
    );
    throw error;
  } finally {
    // A destroyed client keeps the listener: its socket may still report the loss as it closes.
    if (broken === undefined) client.off('error', ignoreClientError);
    client.release(broken);
  }
}

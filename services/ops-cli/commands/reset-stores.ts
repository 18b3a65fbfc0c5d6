/**
 * The four steps of `aisle reset`, one per store. Each drops exactly the names one Aisle
 * namespace uses, counts what it dropped, and tells progress as it goes. They run only after
 * local-stores.ts allowed the configuration.
 */
import type { Config } from '../../../shared/config/index.js';
import type { Output } from '../../../shared/cli/output.js';
import { count } from '../../../shared/cli/output.js';
import { globEscape } from '../../../shared/read-models/detail/scan.js';
import { bullPrefix } from '../../../shared/events/queues.js';
import { createClickHouse } from '../../../shared/stores/clickhouse.js';
import { clickhouseOptions, postgresFromConfig } from '../../../shared/stores/open.js';
import { dropClickHouseDatabaseOf } from '../../../shared/stores/namespaces.js';
import { closeRedis, createRedis } from '../../../shared/stores/redis.js';

export interface PostgresReset {
  readonly schema: string;
  readonly existed: boolean;
  readonly tables: number;
  readonly otherObjects: number;
}

export interface RedisReset {
  readonly prefix: string;
  readonly keys: number;
  /** BullMQ queues whose keys were among them. */
  readonly queues: readonly string[];
}

export interface SearchReset {
  readonly indices: readonly string[];
  readonly aliases: readonly string[];
  readonly templates: readonly string[];
}

export interface ClickHouseReset {
  readonly database: string;
  readonly existed: boolean;
  readonly tables: number;
}

const PROGRESS_INTERVAL_MS = 1000;

/** How long DROP SCHEMA waits for the locks of services still running before it gives up. */
const LOCK_TIMEOUT = '10s';

export async function resetPostgres(config: Config, output: Output): Promise<PostgresReset> {
  const schema = config.databaseSchema;
  const postgres = postgresFromConfig(config, 'aisle-reset');
  try {
    const { rows } = await postgres.client.query<{ tables: string; others: string; n: string }>(
      `SELECT (SELECT count(*) FROM pg_namespace WHERE nspname = $1) AS n,
              (SELECT count(*) FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
                WHERE s.nspname = $1 AND c.relkind IN ('r', 'p')) AS tables,
              (SELECT count(*) FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
                WHERE s.nspname = $1 AND c.relkind IN ('v', 'm', 'S'))
            + (SELECT count(*) FROM pg_proc p JOIN pg_namespace s ON s.oid = p.pronamespace
                WHERE s.nspname = $1) AS others`,
      [schema],
    );
    const found = rows[0];
    const result = {
      schema,
      existed: Number(found?.n) > 0,
      tables: Number(found?.tables ?? 0),
      otherObjects: Number(found?.others ?? 0),
    };
    if (!result.existed) return result;
    output.progress(`postgres: dropping schema ${schema} (${count(result.tables)} tables)`);
    const client = await postgres.client.connect();
    try {
      await client.query(`SET lock_timeout = '${LOCK_TIMEOUT}'`);
      // A validated identifier (the config pattern is [a-z_][a-z0-9_]*).
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    } catch (error) {
      throw new Error(
        `DROP SCHEMA ${schema}: ${(error as Error).message} (stop the Aisle services first: they hold its tables)`,
        { cause: error },
      );
    } finally {
      client.release();
    }
    return result;
  } finally {
    await postgres.close();
  }
}

/** Keys are unlinked (freed in the background) in batches as SCAN finds them; never FLUSHALL. */
export async function resetRedis(config: Config, output: Output): Promise<RedisReset> {
  const prefix = config.redisKeyPrefix;
  const queueKey = new RegExp(`^${escapeRegExp(bullPrefix(prefix))}:([^:]+):`);
  const redis = createRedis(config.redisUrl, 'command');
  redis.on('error', () => undefined);
  const queues = new Set<string>();
  let keys = 0;
  // SCAN walks the whole keyspace, a few of ours per step: one progress line a second at most.
  let reportedAt = 0;
  try {
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(
        cursor,
        'MATCH',
        `${globEscape(prefix)}:*`,
        'COUNT',
        1000,
      );
      cursor = next;
      if (found.length === 0) continue;
      keys += await redis.unlink(...found);
      for (const key of found) {
        const queue = queueKey.exec(key)?.[1];
        if (queue !== undefined) queues.add(queue);
      }
      if (Date.now() - reportedAt >= PROGRESS_INTERVAL_MS) {
        reportedAt = Date.now();
        output.progress(`redis: ${count(keys)} keys under ${prefix}: unlinked so far`);
      }
    } while (cursor !== '0');
  } finally {
    await closeRedis(redis);
  }
  return { prefix, keys, queues: [...queues].sort() };
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Aisle's search names are `<prefix>-products` (alias and template) and `<prefix>-products-NNNNNN`
 * (one index per generation). They are listed and deleted by exact name, so an index of another
 * prefix that happens to start with this one (aisle-staging-...) or someone else's index is kept.
 */
export async function resetSearch(config: Config, output: Output): Promise<SearchReset> {
  const base = `${config.searchIndexPrefix}-products`;
  const ours = new RegExp(`^${escapeRegExp(base)}-\\d+$`);
  const listed = await searchCall<Record<string, { aliases?: Record<string, unknown> }>>(
    config,
    'GET',
    `${encodeURIComponent(base)}-*/_alias?expand_wildcards=all`,
  );
  const indices = Object.keys(listed ?? {})
    .filter((index) => ours.test(index))
    .sort();
  const aliases = [
    ...new Set(indices.flatMap((index) => Object.keys(listed?.[index]?.aliases ?? {}))),
  ].sort();
  const template = await searchCall(config, 'GET', `_index_template/${encodeURIComponent(base)}`);
  const templates = template === undefined ? [] : [base];
  // Deleting an index removes its aliases with it.
  for (const index of indices) {
    output.progress(`search: deleting index ${index}`);
    await searchCall(config, 'DELETE', encodeURIComponent(index));
  }
  for (const name of templates) {
    output.progress(`search: deleting index template ${name}`);
    await searchCall(config, 'DELETE', `_index_template/${encodeURIComponent(name)}`);
  }
  return { indices, aliases, templates };
}

/** One request to the search engine's REST API (the same on OpenSearch and Elasticsearch); 404 is undefined. */
async function searchCall<T = unknown>(
  config: Config,
  method: 'GET' | 'DELETE',
  path: string,
): Promise<T | undefined> {
  const base = config.searchUrl.endsWith('/') ? config.searchUrl : `${config.searchUrl}/`;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (config.searchUsername !== undefined) {
    const credentials = `${config.searchUsername}:${config.searchPassword ?? ''}`;
    headers['authorization'] = `Basic ${Buffer.from(credentials).toString('base64')}`;
  }
  const res = await fetch(new URL(path, base), {
    method,
    headers,
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  if (res.status === 404) return undefined;
  if (!res.ok) throw new Error(`search ${method} /${path}: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

export async function resetClickHouse(config: Config, output: Output): Promise<ClickHouseReset> {
  const database = config.clickhouseDatabase;
  // No database in the client: the one to drop may not exist.
  const { url, username, password } = clickhouseOptions(config);
  const client = createClickHouse({ url, username, password });
  try {
    // A validated identifier (the config pattern is [a-z_][a-z0-9_]*), so it is inlined: the
    // oldest supported server (18.16) has no query parameters.
    const rows = await (
      await client.query({
        query: `SELECT (SELECT count() FROM system.databases WHERE name = '${database}') AS n,
                       (SELECT count() FROM system.tables WHERE database = '${database}') AS tables`,
        format: 'JSONEachRow',
      })
    ).json<{ n: string | number; tables: string | number }>();
    const result = {
      database,
      existed: Number(rows[0]?.n) > 0,
      tables: Number(rows[0]?.tables ?? 0),
    };
    if (!result.existed) return result;
    output.progress(`clickhouse: dropping database ${database} (${count(result.tables)} tables)`);
    // A DROP waits on merges: the longer DDL bound, one retry, and a check that it is gone.
    await dropClickHouseDatabaseOf({ url, username, password }, database);
    return result;
  } finally {
    await client.close();
  }
}

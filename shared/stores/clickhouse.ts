import { readdir, readFile } from 'node:fs/promises';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import type { StoreHandle } from './store.js';

export type { ClickHouseClient } from '@clickhouse/client';

export interface ClickHouseOptions {
  readonly url: string;
  readonly username: string;
  readonly password?: string | undefined;
  /** Omitted for the bootstrap client, which runs before the database exists. */
  readonly database?: string;
  /** Per-request bound; default 30 s. DDL that may wait on merges or locks passes a longer one. */
  readonly requestTimeoutMs?: number;
}

export function createClickHouse(opts: ClickHouseOptions): ClickHouseClient {
  return createClient({
    url: opts.url,
    username: opts.username,
    password: opts.password ?? '',
    ...(opts.database === undefined ? {} : { database: opts.database }),
    request_timeout: opts.requestTimeoutMs ?? 30_000,
    // ISO-8601 times from events; supported by 18.16 and current releases alike.
    clickhouse_settings: { date_time_input_format: 'best_effort' },
  });
}

export function openClickHouse(opts: ClickHouseOptions): StoreHandle<ClickHouseClient> {
  const client = createClickHouse(opts);
  return {
    name: 'clickhouse',
    client,
    ping: async () => {
      const result = await client.ping();
      if (!result.success) throw result.error;
    },
    close: () => client.close(),
  };
}

interface DdlFile {
  readonly version: number;
  readonly name: string;
  readonly statements: readonly string[];
}

const FILE_NAME = /^(\d{4})_([a-z0-9_]+)\.sql$/;

/** `{db}` in the DDL files stands for the configured database (a validated identifier). */
export async function readClickHouseDdl(dir: string, database: string): Promise<DdlFile[]> {
  const files = (await readdir(dir)).filter((f) => FILE_NAME.test(f)).sort();
  return Promise.all(
    files.map(async (file) => {
      const [, version = '0', name = ''] = FILE_NAME.exec(file) ?? [];
      const sql = (await readFile(`${dir}/${file}`, 'utf8')).replaceAll('{db}', database);
      const statements = sql
        .split(/;\s*$/m)
        .map((s) => s.replace(/^\s*--.*$/gm, '').trim())
        .filter((s) => s.length > 0);
      return { version: Number(version), name, statements };
    }),
  );
}

const ADD_COLUMN = /^ALTER\s+TABLE\s+(\w+)\.(\w+)\s+ADD\s+COLUMN\s+(\w+)\s/i;

/**
 * Runs one DDL statement. 18.16 has no `ADD COLUMN IF NOT EXISTS`, so an `ALTER TABLE db.t ADD
 * COLUMN c …` is skipped when the column is there (an earlier run stopped before recording its
 * file added it), and one that fails is done when the column is there anyway (a concurrent
 * instance added it in between).
 */
async function runDdl(admin: ClickHouseClient, statement: string): Promise<void> {
  const [, database, table, column] = ADD_COLUMN.exec(statement) ?? [];
  const adds =
    database === undefined || table === undefined || column === undefined
      ? undefined
      : { database, table, column };
  if (adds !== undefined && (await hasColumn(admin, adds))) return;
  try {
    await admin.command({ query: statement });
  } catch (error) {
    if (adds === undefined || !(await hasColumn(admin, adds))) throw error;
  }
}

async function hasColumn(
  admin: ClickHouseClient,
  { database, table, column }: { database: string; table: string; column: string },
): Promise<boolean> {
  // The names matched \w+, so they are safe as literals (18.16 has no query parameters).
  const found = await admin.query({
    query: `SELECT count() AS n FROM system.columns WHERE database = '${database}' AND table = '${table}' AND name = '${column}'`,
    format: 'JSONEachRow',
  });
  const [row] = await found.json<{ n: string | number }>();
  return Number(row?.n) === 1;
}

/**
 * ClickHouse has no transactions or locks, so every statement is idempotent (IF NOT EXISTS, or
 * an ADD COLUMN whose column already exists) and a file is recorded as applied only after all its
 * statements ran; a concurrent second instance re-running a file is harmless.
 */
export async function applyClickHouseDdl(
  dir: string,
  opts: ClickHouseOptions & { database: string },
): Promise<{ applied: string[] }> {
  const { database: db, ...server } = opts;
  const admin = createClickHouse(server);
  try {
    await admin.command({ query: `CREATE DATABASE IF NOT EXISTS ${db}` });
    await admin.command({
      query: `CREATE TABLE IF NOT EXISTS ${db}.schema_migrations (version UInt32, name String, applied_at DateTime DEFAULT now()) ENGINE = ReplacingMergeTree() ORDER BY version`,
    });
    const done = await admin.query({
      query: `SELECT DISTINCT version FROM ${db}.schema_migrations`,
      format: 'JSONEachRow',
    });
    const known = new Set((await done.json<{ version: number }>()).map((r) => Number(r.version)));
    const applied: string[] = [];
    for (const file of await readClickHouseDdl(dir, db)) {
      if (known.has(file.version)) continue;
      for (const statement of file.statements) await runDdl(admin, statement);
      await admin.insert({
        table: `${db}.schema_migrations`,
        values: [{ version: file.version, name: file.name }],
        format: 'JSONEachRow',
      });
      applied.push(`${String(file.version).padStart(4, '0')}_${file.name}`);
    }
    return { applied };
  } finally {
    await admin.close();
  }
}

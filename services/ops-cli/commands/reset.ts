/**
 * `aisle reset --yes`: drops everything Aisle created in the local stores, for a developer who
 * wants a clean start: the Postgres schema, the Redis keys (BullMQ queues among them) under the
 * key prefix, the search indices, aliases and template of the index prefix, and the ClickHouse
 * database. It refuses without --yes, and refuses any store that is not on this machine or any
 * namespace shared with others, before contacting a store. Stores are reset one after the other;
 * one that fails does not stop the others, and the command then exits 1.
 */
import { parseArgs } from 'node:util';
import type { Config } from '../../../shared/config/index.js';
import { count, processOutput, type Output } from '../../../shared/cli/output.js';
import { assertResettable, type StoreLocation, type StoreName } from './local-stores.js';
import {
  resetClickHouse,
  resetPostgres,
  resetRedis,
  resetSearch,
  type ClickHouseReset,
  type PostgresReset,
  type RedisReset,
  type SearchReset,
} from './reset-stores.js';

export const resetHelp =
  'reset --yes: drop everything Aisle created in the local stores (Postgres schema, Redis keys under the prefix, search indices/aliases/template, ClickHouse database); refuses non-local URLs';

export interface ResetOptions {
  readonly yes: boolean;
}

export function parseResetArgs(args: readonly string[]): ResetOptions {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { yes: { type: 'boolean', default: false } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length > 0) throw new Error(`unexpected argument "${positionals[0]}"`);
  return { yes: values.yes };
}

export interface ResetReport {
  readonly postgres?: PostgresReset;
  readonly redis?: RedisReset;
  readonly search?: SearchReset;
  readonly clickhouse?: ClickHouseReset;
  /** Stores that could not be reset, with why. */
  readonly failures: readonly { readonly store: StoreName; readonly error: string }[];
}

/** What would go, in words, for the refusal without --yes. */
function plan(config: Config, locations: readonly StoreLocation[]): string[] {
  const at = (store: StoreName) => locations.find((l) => l.store === store)?.where ?? '?';
  return [
    `postgres    schema ${config.databaseSchema} and every table in it (${at('postgres')})`,
    `redis       every key under ${config.redisKeyPrefix}: (BullMQ queues included) (${at('redis')})`,
    `search      indices ${config.searchIndexPrefix}-products-*, alias and template ${config.searchIndexPrefix}-products (${at('search')})`,
    `clickhouse  database ${config.clickhouseDatabase} (${at('clickhouse')})`,
  ];
}

/** Runs the reset (or refuses it); prints progress and the summary through `output`. */
export async function runReset(
  config: Config,
  options: ResetOptions,
  output: Output,
): Promise<ResetReport> {
  const locations = assertResettable(config);
  if (!options.yes) {
    throw new Error(
      `this drops, for good:\n  ${plan(config, locations).join('\n  ')}\nrun again with --yes to do it`,
    );
  }
  const failures: { store: StoreName; error: string }[] = [];
  const attempt = async <T>(store: StoreName, step: () => Promise<T>): Promise<T | undefined> => {
    output.progress(`${store}: resetting`);
    try {
      return await step();
    } catch (error) {
      failures.push({ store, error: error instanceof Error ? error.message : String(error) });
      return undefined;
    }
  };
  const postgres = await attempt('postgres', () => resetPostgres(config, output));
  const redis = await attempt('redis', () => resetRedis(config, output));
  const search = await attempt('search', () => resetSearch(config, output));
  const clickhouse = await attempt('clickhouse', () => resetClickHouse(config, output));
  const result: ResetReport = {
    ...(postgres === undefined ? {} : { postgres }),
    ...(redis === undefined ? {} : { redis }),
    ...(search === undefined ? {} : { search }),
    ...(clickhouse === undefined ? {} : { clickhouse }),
    failures,
  };
  printResetSummary(result, output);
  return result;
}

const plural = (n: number, one: string, many = `${one}s`): string =>
  `${count(n)} ${n === 1 ? one : many}`;

const listed = (names: readonly string[]): string =>
  names.length === 0 ? '' : ` (${names.slice(0, 6).join(', ')}${names.length > 6 ? ', …' : ''})`;

export function printResetSummary(report: ResetReport, output: Output): void {
  output.line(report.failures.length === 0 ? 'reset: done' : 'reset: incomplete');
  const { postgres, redis, search, clickhouse } = report;
  if (postgres !== undefined) {
    output.line(
      postgres.existed
        ? `  postgres    schema ${postgres.schema} dropped: ${plural(postgres.tables, 'table')}, ${plural(postgres.otherObjects, 'other object')}`
        : `  postgres    schema ${postgres.schema}: not there`,
    );
  }
  if (redis !== undefined) {
    output.line(
      `  redis       ${plural(redis.keys, 'key')} under ${redis.prefix}: unlinked, ${plural(redis.queues.length, 'BullMQ queue')}${listed(redis.queues)}`,
    );
  }
  if (search !== undefined) {
    output.line(
      `  search      ${plural(search.indices.length, 'index', 'indices')}${listed(search.indices)}, ${plural(search.aliases.length, 'alias', 'aliases')}, ${plural(search.templates.length, 'template')} deleted`,
    );
  }
  if (clickhouse !== undefined) {
    output.line(
      clickhouse.existed
        ? `  clickhouse  database ${clickhouse.database} dropped: ${plural(clickhouse.tables, 'table')}`
        : `  clickhouse  database ${clickhouse.database}: not there`,
    );
  }
  for (const failure of report.failures) {
    output.line(`  ${failure.store.padEnd(10)}  FAILED: ${failure.error}`);
  }
}

/** `aisle reset …` as registered in main.ts. */
export async function resetCommand(config: Config, args: readonly string[]): Promise<void> {
  const report = await runReset(config, parseResetArgs(args), processOutput());
  if (report.failures.length > 0) process.exitCode = 1;
}

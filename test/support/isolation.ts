import { randomBytes } from 'node:crypto';
import { loadConfig, type Config } from '../../shared/config/index.js';
import { dropNamespaces } from '../../shared/stores/namespaces.js';

/** The subset of a tap Test these helpers use. */
export interface Teardowns {
  teardown(fn: () => unknown): void;
}

/**
 * A config whose every store namespace is unique to one test file (Postgres schema, Redis key
 * prefix, search index prefix, ClickHouse database), so test files run in parallel. Everything
 * created under those names is removed at teardown. Store URLs come from the environment, so
 * the suite runs against any servers, local or not.
 */
export function isolatedConfig(t: Teardowns, overrides: Record<string, string> = {}): Config {
  return loadConfig(isolatedEnv(t, overrides));
}

/** The same isolation as raw environment variables, for services started as processes. */
export function isolatedEnv(
  t: Teardowns,
  overrides: Record<string, string> = {},
): Record<string, string | undefined> {
  const id = `t${randomBytes(5).toString('hex')}`;
  const isolation = {
    LOG_LEVEL: 'silent',
    DATABASE_SCHEMA: id,
    DATABASE_POOL_MAX: '4',
    REDIS_KEY_PREFIX: `test:${id}`,
    SEARCH_INDEX_PREFIX: id,
    CLICKHOUSE_DATABASE: id,
    ADMIN_TOKENS: 'admin-token-for-tests-0001',
    ANALYTICS_TOKENS: 'analytics-token-for-tests-01',
  };
  // Cleanup depends only on the isolation names, so a test may override anything, even badly.
  // What could not be dropped fails the test file by name, rather than piling up unseen.
  t.teardown(async () => {
    const left = await dropNamespaces(loadConfig({ ...process.env, ...isolation }));
    if (left.length > 0) throw new Error(`test namespace ${id} not dropped: ${left.join('; ')}`);
  });
  return { ...process.env, ...isolation, ...overrides };
}

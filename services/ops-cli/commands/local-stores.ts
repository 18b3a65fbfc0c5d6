/**
 * What `aisle reset` may touch: only stores on this machine, and only namespaces that are Aisle's
 * alone. Pure checks on the configuration, made before any store is contacted.
 */
import type { Config } from '../../../shared/config/index.js';

export type StoreName = 'postgres' | 'redis' | 'search' | 'clickhouse';

/** The loopback names reset accepts; anything else (even this machine's own name) is refused. */
const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export interface StoreLocation {
  readonly store: StoreName;
  /** `host:port` only: URLs may carry credentials, which are never shown. */
  readonly where: string;
  /** Why this store is not local, when it is not. */
  readonly notLocal?: string;
}

function hostOf(url: URL): string {
  return url.hostname.toLowerCase();
}

function describe(url: URL): string {
  return url.port === '' ? url.hostname : `${url.hostname}:${url.port}`;
}

/**
 * Postgres also takes its host from a `host` query parameter (a socket folder, or a list), which
 * wins over the URL's host; a URL naming no host at all depends on PGHOST, so it is refused.
 */
function postgresHosts(url: URL): string[] {
  const fromQuery = url.searchParams.getAll('host').flatMap((h) => h.split(','));
  return [...(fromQuery.length > 0 ? fromQuery : [hostOf(url)])].filter((h) => h !== '');
}

const isLocalHost = (host: string): boolean =>
  LOCAL_HOSTS.has(host.toLowerCase()) || host.startsWith('/'); // a Unix socket folder

function locate(store: StoreName, raw: string, hosts: (url: URL) => string[]): StoreLocation {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { store, where: '?', notLocal: 'its URL does not parse' };
  }
  const named = hosts(url);
  const where = describe(url) || named.join(',') || '?';
  if (named.length === 0) return { store, where, notLocal: 'its URL names no host' };
  const remote = named.filter((h) => !isLocalHost(h));
  if (remote.length === 0) return { store, where };
  return { store, where, notLocal: `${remote.join(', ')} is not 127.0.0.1, localhost or ::1` };
}

/** Where each store is, and whether it is local. */
export function storeLocations(
  config: Pick<Config, 'databaseUrl' | 'redisUrl' | 'searchUrl' | 'clickhouseUrl'>,
): StoreLocation[] {
  const single = (url: URL) => [hostOf(url)].filter((h) => h !== '');
  return [
    locate('postgres', config.databaseUrl, postgresHosts),
    locate('redis', config.redisUrl, single),
    locate('search', config.searchUrl, single),
    locate('clickhouse', config.clickhouseUrl, single),
  ];
}

/** Namespaces that are shared with whatever else lives in the store: never dropped whole. */
const SHARED_SCHEMAS = new Set(['public', 'information_schema', 'pg_catalog', 'pg_toast']);
const SHARED_CLICKHOUSE_DATABASES = new Set(['default', 'system', 'information_schema']);

/** Why the configured namespaces cannot be dropped whole, if they cannot. */
export function sharedNamespaces(
  config: Pick<Config, 'databaseSchema' | 'clickhouseDatabase'>,
): string[] {
  const problems: string[] = [];
  if (SHARED_SCHEMAS.has(config.databaseSchema) || config.databaseSchema.startsWith('pg_')) {
    problems.push(
      `DATABASE_SCHEMA=${config.databaseSchema} is shared with everything else in the database; reset only drops a schema of Aisle's own`,
    );
  }
  if (SHARED_CLICKHOUSE_DATABASES.has(config.clickhouseDatabase.toLowerCase())) {
    problems.push(
      `CLICKHOUSE_DATABASE=${config.clickhouseDatabase} is ClickHouse's own; reset only drops a database of Aisle's own`,
    );
  }
  return problems;
}

/**
 * Throws, naming every reason, when reset must not run against this configuration: a store that
 * is not on this machine, or a namespace that is not Aisle's alone. Nothing is contacted.
 */
export function assertResettable(config: Config): StoreLocation[] {
  const locations = storeLocations(config);
  const reasons = [
    ...locations.flatMap((l) =>
      l.notLocal === undefined ? [] : [`${l.store} at ${l.where}: ${l.notLocal}`],
    ),
    ...sharedNamespaces(config),
  ];
  if (reasons.length > 0) {
    throw new Error(
      `refusing to reset; reset only touches local stores and Aisle's own namespaces:\n  ${reasons.join('\n  ')}`,
    );
  }
  return locations;
}

import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildCatalogWriteApp } from '../../services/catalog-write/app.js';
import { ConfigError, loadConfig, type Config } from '../../shared/config/index.js';
import { createLogger } from '../../shared/logging/logger.js';
import { migrate } from '../../shared/stores/migrations.js';
import { postgresMigrationsDir } from '../../shared/stores/migrations-dir.js';
import { postgresFromConfig } from '../../shared/stores/open.js';
import { openPostgres, type Pool } from '../../shared/stores/postgres.js';
import type { StoreHandle } from '../../shared/stores/store.js';
import { HttpClient } from './http-client.js';
import { isLoopbackHost, UsageError } from './options.js';

/** The catalog-write under test and a side connection to its Postgres schema. */
export interface Target {
  readonly mode: 'in-process' | 'url';
  readonly origin: URL;
  readonly token: string;
  readonly schema: string;
  /** DATABASE_POOL_MAX of the service, when known (in-process only). */
  readonly dbPoolMax: number | undefined;
  /** Rows in the schema's outbox, or undefined when the bench cannot see that database. */
  countOutbox(): Promise<number | undefined>;
  postgresVersion(): Promise<string | undefined>;
  /** Stops what the bench started; drops the schema it created unless kept. */
  close(): Promise<{ schemaDropped: boolean }>;
}

function checkLocalDatabase(config: Config): void {
  const { hostname } = new URL(config.databaseUrl);
  // An empty host is a Unix socket, which is local by definition.
  if (hostname !== '' && !isLoopbackHost(hostname)) {
    throw new UsageError(
      `DATABASE_URL points at ${hostname}; this local benchmark only uses a Postgres on this machine`,
    );
  }
}

async function dropSchema(admin: Pool, schema: string): Promise<void> {
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
}

function sideConnection(config: Config, schema: string): StoreHandle<Pool> {
  return openPostgres({ url: config.databaseUrl, schema, poolMax: 1, applicationName: 'bench' });
}

async function serverVersion(admin: Pool): Promise<string> {
  const { rows } = await admin.query<{ server_version: string }>('SHOW server_version');
  return rows[0]?.server_version ?? 'unknown';
}

async function countRows(admin: Pool): Promise<number> {
  const { rows } = await admin.query<{ n: string }>('SELECT count(*) AS n FROM outbox');
  return Number(rows[0]?.n ?? Number.NaN);
}

/**
 * A catalog-write built like main.ts builds it, on 127.0.0.1 with a random port, a fresh
 * migrated schema bench_<random> and a throwaway admin token; logging silent.
 */
export async function startInProcess(opts: {
  keep: boolean;
  dbPoolMax: number | undefined;
}): Promise<Target> {
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  const token = `bench-${randomBytes(24).toString('base64url')}`;
  const config = loadConfig({
    ...process.env,
    LOG_LEVEL: 'silent',
    DATABASE_SCHEMA: schema,
    ADMIN_TOKENS: token,
    ...(opts.dbPoolMax === undefined ? {} : { DATABASE_POOL_MAX: String(opts.dbPoolMax) }),
  });
  checkLocalDatabase(config);
  const admin = sideConnection(config, schema);
  const postgres = postgresFromConfig(config, 'catalog-write');
  let app: FastifyInstance | undefined;
  try {
    await migrate(postgres.client, schema, postgresMigrationsDir);
    app = await buildCatalogWriteApp({
      config,
      logger: createLogger('catalog-write', 'silent'),
      postgres,
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
  } catch (error) {
    // The app owns the service pool once built; before that it is ours to close.
    await (app ? app.close() : postgres.close()).catch(() => undefined);
    await dropSchema(admin.client, schema).catch(() => undefined);
    await admin.close().catch(() => undefined);
    throw error;
  }
  const server = app;
  const { port } = server.server.address() as AddressInfo;
  return {
    mode: 'in-process',
    origin: new URL(`http://127.0.0.1:${port}`),
    token,
    schema,
    dbPoolMax: config.databasePoolMax,
    countOutbox: () => countRows(admin.client),
    postgresVersion: () => serverVersion(admin.client),
    close: async () => {
      try {
        await server.close();
        if (!opts.keep) await dropSchema(admin.client, schema);
        return { schemaDropped: !opts.keep };
      } finally {
        await admin.close();
      }
    },
  };
}

/**
 * A catalog-write already running on this machine. Its token comes from ADMIN_TOKENS; the
 * outbox is counted through DATABASE_URL / DATABASE_SCHEMA when they reach it. Nothing is
 * dropped: the fixture products the bench creates stay, under SKUs prefixed BP-/BW-.
 */
export async function connectToUrl(origin: URL): Promise<Target> {
  let config: Config;
  try {
    config = loadConfig(process.env, { require: ['adminTokens'] });
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
  const token = config.adminTokens?.[0];
  if (token === undefined) throw new UsageError('ADMIN_TOKENS holds no token');
  checkLocalDatabase(config);
  await preflight(origin, token);

  const schema = config.databaseSchema;
  const admin = sideConnection(config, schema);
  let visible = false;
  try {
    const { rows } = await admin.client.query<{ t: string | null }>(
      "SELECT to_regclass('outbox')::text AS t",
    );
    visible = rows[0]?.t != null;
    if (!visible) process.stderr.write(`[bench] warning: no outbox table in schema ${schema}\n`);
  } catch (error) {
    process.stderr.write(
      `[bench] warning: cannot reach Postgres (${(error as Error).message}); outbox not checked\n`,
    );
  }
  return {
    mode: 'url',
    origin,
    token,
    schema,
    dbPoolMax: undefined,
    countOutbox: async () => (visible ? countRows(admin.client) : undefined),
    postgresVersion: async () => (visible ? serverVersion(admin.client) : undefined),
    close: async () => {
      await admin.close();
      return { schemaDropped: false };
    },
  };
}

async function preflight(origin: URL, token: string): Promise<void> {
  const client = new HttpClient(origin, token, 1);
  try {
    const live = await client.send({ method: 'GET', path: '/health/live' });
    if (live.status !== 200) {
      throw new UsageError(
        `${origin.origin} does not answer /health/live (${live.status === 0 ? live.body : `HTTP ${live.status}`})`,
      );
    }
    const probe = await client.send({ method: 'GET', path: `/admin/v1/products/${randomUUID()}` });
    if (probe.status === 401 || probe.status === 403) {
      throw new UsageError(`${origin.origin} rejects the first ADMIN_TOKENS token`);
    }
    if (probe.status !== 404) {
      throw new UsageError(`${origin.origin} is not a catalog-write (HTTP ${probe.status})`);
    }
  } finally {
    client.close();
  }
}

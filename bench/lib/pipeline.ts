import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { loadConfig, type Config } from '../../shared/config/index.js';
import { projectRoot } from '../../shared/paths.js';
import { migrate } from '../../shared/stores/migrations.js';
import { postgresMigrationsDir } from '../../shared/stores/migrations-dir.js';
import { clickhouseOptions } from '../../shared/stores/open.js';
import { openPostgres, type Pool } from '../../shared/stores/postgres.js';
import { bootstrapSearch } from '../../shared/read-models/search/index-setup.js';
import { openSearch } from '../../shared/stores/search/open.js';
import type { StoreHandle } from '../../shared/stores/store.js';
import { HttpClient } from './http-client.js';
import { isLoopbackHost, UsageError } from './options.js';
import { dropNamespaces as dropAll } from '../../shared/stores/namespaces.js';
import { freePort } from '../../test/support/processes.js';
import { bootstrapClickHouse } from '../../shared/read-models/analytics/tables.js';

/** The services between a command and the read models, in data-flow order. */
export const pipelineServices = [
  'catalog-write',
  'outbox-relay',
  'projector-search',
  'projector-detail',
  'projector-analytics',
] as const;
export type PipelineService = (typeof pipelineServices)[number];

/** Started only on request (`readSide`): the storefront API over the read models. */
export const readServices = ['catalog-read'] as const;
export type ReadService = (typeof readServices)[number];
/** Any service a benchmark can start. */
export type BenchService = PipelineService | ReadService;

const portVariable: Record<BenchService, string> = {
  'catalog-write': 'CATALOG_WRITE_PORT',
  'outbox-relay': 'OUTBOX_RELAY_PORT',
  'projector-search': 'SEARCH_PROJECTOR_PORT',
  'projector-detail': 'DETAIL_PROJECTOR_PORT',
  'projector-analytics': 'ANALYTICS_PROJECTOR_PORT',
  'catalog-read': 'CATALOG_READ_PORT',
};

/** Log lines kept per service (level warn and above: the services run with LOG_LEVEL=warn). */
const KEPT_LINES = 50;
const READY_TIMEOUT_MS = 90_000;

export interface ServiceProcess {
  readonly name: BenchService;
  readonly port: number;
  readonly child: ChildProcess;
  /** The first lines the process wrote (warnings, errors), for the report. */
  readonly lines: string[];
  exited: boolean;
}

export interface Namespaces {
  readonly databaseSchema: string;
  readonly redisKeyPrefix: string;
  readonly searchIndexPrefix: string;
  readonly clickhouseDatabase: string;
}

export interface Pipeline {
  /** The config every service runs with (also what the bench uses to read the stores). */
  readonly config: Config;
  readonly namespaces: Namespaces;
  readonly token: string;
  readonly writeOrigin: URL;
  /** catalog-read, when started with `readSide`; undefined otherwise. */
  readonly readOrigin: URL | undefined;
  /** Every catalog-read instance (`readInstances`), the first being readOrigin. */
  readonly readOrigins: readonly URL[];
  /** The search alias the projector writes and storefront searches read. */
  readonly alias: string;
  readonly services: readonly ServiceProcess[];
  /** A one-connection pool on the service schema, for the Postgres version. */
  readonly admin: Pool;
  /** The /metrics page of a running service; undefined if it does not answer. */
  metrics(name: BenchService): Promise<string | undefined>;
  /** Stops the services (SIGTERM, then SIGKILL after the drain deadline). */
  stopServices(): Promise<void>;
  /** Drops every namespace the bench created; the names of those that failed. */
  dropNamespaces(): Promise<string[]>;
  close(): Promise<void>;
}

/** Every store must be on this machine: a benchmark never loads a shared server. */
function checkLocalStores(config: Config): void {
  const stores: [string, string][] = [
    ['DATABASE_URL', config.databaseUrl],
    ['REDIS_URL', config.redisUrl],
    ['SEARCH_URL', config.searchUrl],
    ['CLICKHOUSE_URL', config.clickhouseUrl],
  ];
  for (const [name, raw] of stores) {
    const { hostname } = new URL(raw);
    // An empty Postgres host is a Unix socket, local by definition.
    if (hostname !== '' && !isLoopbackHost(hostname)) {
      throw new UsageError(
        `${name} points at ${hostname}; this local benchmark only uses stores on this machine`,
      );
    }
  }
}

function startService(
  name: BenchService,
  port: number,
  env: Record<string, string | undefined>,
): ServiceProcess {
  // Its own process group, so a Ctrl-C in the terminal reaches only the bench, which then stops
  // the services itself once the in-flight work is accounted for.
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(projectRoot, 'services', name, 'main.ts')],
    { cwd: projectRoot, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  const service: ServiceProcess = { name, port, child, lines: [], exited: false };
  let partial = '';
  const collect = (chunk: Buffer) => {
    const text = partial + chunk.toString('utf8');
    const parts = text.split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      if (line.trim() !== '' && service.lines.length < KEPT_LINES) service.lines.push(line);
    }
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  child.on('exit', () => {
    service.exited = true;
  });
  return service;
}

async function waitReady(service: ServiceProcess, client: HttpClient): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (service.exited) {
      throw new Error(
        `${service.name} exited during start-up:\n${service.lines.slice(-10).join('\n')}`,
      );
    }
    const reply = await client.send({ method: 'GET', path: '/health/ready' });
    if (reply.status === 200) return;
    if (Date.now() > deadline) {
      throw new Error(
        `${service.name} not ready after ${READY_TIMEOUT_MS / 1000} s (last: ${reply.status === 0 ? reply.body : `HTTP ${reply.status}`})`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function stopService(service: ServiceProcess, drainMs: number): Promise<void> {
  if (service.exited || service.child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => {
    if (service.exited) resolve();
    service.child.once('exit', () => resolve());
  });
  service.child.kill('SIGTERM');
  const timer = setTimeout(() => service.child.kill('SIGKILL'), drainMs);
  await exited;
  clearTimeout(timer);
}

export interface PipelineOptions {
  /** Also start catalog-read, on a free port with the same environment (default: off). */
  readonly readSide?: boolean;
  /** How many catalog-read instances `readSide` starts, each on its own port (default 1). */
  readonly readInstances?: number;
  /** Namespaces are named `<prefix>_<random>` (default `bench_lag`; [a-z_][a-z0-9_]*). */
  readonly namespacePrefix?: string;
  /**
   * Exactly this namespace name instead of `<prefix>_<random>`: the stores of an earlier run kept
   * for reuse (migration and bootstrap are idempotent). Same pattern as the prefix.
   */
  readonly namespaceId?: string;
}

/**
 * The write side, the relay and the three projectors (and catalog-read with `readSide`), each
 * started as an operator would (`node --import tsx services/<name>/main.ts`) on a free loopback
 * port, all on one fresh set of namespaces. Postgres is migrated and the search index and
 * ClickHouse tables bootstrapped before any service starts, so none of them races another to
 * create them.
 */
export async function startPipeline(
  log: (line: string) => void,
  options: PipelineOptions = {},
): Promise<Pipeline> {
  const prefix = options.namespacePrefix ?? 'bench_lag';
  if (!/^[a-z_][a-z0-9_]{0,40}$/.test(prefix)) {
    throw new UsageError(`namespace prefix ${prefix} must match [a-z_][a-z0-9_]*`);
  }
  const names: readonly BenchService[] = [
    ...pipelineServices,
    ...(options.readSide === true ? readServices : []),
  ];
  if (options.namespaceId !== undefined && !/^[a-z_][a-z0-9_]{0,50}$/.test(options.namespaceId)) {
    throw new UsageError(`namespace ${options.namespaceId} must match [a-z_][a-z0-9_]*`);
  }
  const id = options.namespaceId ?? `${prefix}_${randomBytes(4).toString('hex')}`;
  const token = `bench-${randomBytes(24).toString('base64url')}`;
  const namespaces: Namespaces = {
    databaseSchema: id,
    redisKeyPrefix: id,
    searchIndexPrefix: id,
    clickhouseDatabase: id,
  };
  const ports = {} as Record<BenchService, number>;
  for (const name of names) ports[name] = await freePort();
  const extraReadPorts: number[] = [];
  if (options.readSide === true) {
    for (let i = 1; i < (options.readInstances ?? 1); i++) extraReadPorts.push(await freePort());
  }
  const env: Record<string, string | undefined> = {
    ...process.env,
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    DATABASE_SCHEMA: namespaces.databaseSchema,
    REDIS_KEY_PREFIX: namespaces.redisKeyPrefix,
    SEARCH_INDEX_PREFIX: namespaces.searchIndexPrefix,
    CLICKHOUSE_DATABASE: namespaces.clickhouseDatabase,
    ADMIN_TOKENS: token,
    // The bench is one client far faster than a shopper: catalog-read's per-client limiter would
    // refuse most of its load. It stays off unless the environment turns it on.
    RATE_LIMIT_ENABLED: process.env['RATE_LIMIT_ENABLED'] ?? 'false',
    ...Object.fromEntries(names.map((name) => [portVariable[name], String(ports[name])])),
  };
  const config = loadConfig(env);
  checkLocalStores(config);

  const admin: StoreHandle<Pool> = openPostgres({
    url: config.databaseUrl,
    schema: namespaces.databaseSchema,
    poolMax: 1,
    applicationName: prefix.replace(/_/g, '-'),
  });
  const services: ServiceProcess[] = [];
  const killAll = () => {
    for (const s of services) if (!s.exited) s.child.kill('SIGKILL');
  };
  // Whatever way this process ends, it does not leave services running behind it.
  process.on('exit', killAll);

  const stopServices = async () => {
    await Promise.all(services.map((s) => stopService(s, config.shutdownTimeoutMs + 2000)));
  };
  // The schema lives in `namespaces`; every other store's name is in the config.
  const dropNamespaces = () => dropAll({ ...config, databaseSchema: namespaces.databaseSchema });

  let alias: string;
  try {
    await migrate(admin.client, namespaces.databaseSchema, postgresMigrationsDir);
    const search = openSearch(config);
    try {
      ({ alias } = await bootstrapSearch(search.client, config.searchIndexPrefix));
    } finally {
      await search.close();
    }
    await bootstrapClickHouse(clickhouseOptions(config));
    log(`namespaces ${id} ready (schema migrated, index and ClickHouse tables created)`);

    const started = Date.now();
    for (const name of names) services.push(startService(name, ports[name], env));
    for (const port of extraReadPorts) {
      services.push(
        startService('catalog-read', port, { ...env, CATALOG_READ_PORT: String(port) }),
      );
    }
    await Promise.all(
      services.map(async (service) => {
        const client = new HttpClient(new URL(`http://127.0.0.1:${service.port}`), token, 1);
        try {
          await waitReady(service, client);
        } finally {
          client.close();
        }
      }),
    );
    log(
      `${services.length} services ready in ${((Date.now() - started) / 1000).toFixed(1)} s: ` +
        services.map((s) => `${s.name} :${s.port} (pid ${s.child.pid ?? '?'})`).join(', '),
    );
  } catch (error) {
    await stopServices().catch(() => undefined);
    await dropNamespaces().catch(() => undefined);
    await admin.close().catch(() => undefined);
    process.off('exit', killAll);
    throw error;
  }

  return {
    config,
    namespaces,
    token,
    writeOrigin: new URL(`http://127.0.0.1:${ports['catalog-write']}`),
    readOrigin: names.includes('catalog-read')
      ? new URL(`http://127.0.0.1:${ports['catalog-read']}`)
      : undefined,
    readOrigins: names.includes('catalog-read')
      ? [ports['catalog-read'], ...extraReadPorts].map(
          (port) => new URL(`http://127.0.0.1:${port}`),
        )
      : [],
    alias,
    services,
    admin: admin.client,
    metrics: async (name) => {
      const client = new HttpClient(new URL(`http://127.0.0.1:${ports[name]}`), token, 1);
      try {
        const reply = await client.send({ method: 'GET', path: '/metrics' });
        return reply.status === 200 ? reply.body : undefined;
      } finally {
        client.close();
      }
    },
    stopServices,
    dropNamespaces,
    close: async () => {
      await admin.close();
      process.off('exit', killAll);
    },
  };
}

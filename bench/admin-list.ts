/**
 * Latency of the admin listing (GET /admin/v1/products) at the catalog size present: first page,
 * a deep keyset page, `q` contains (a common word and a rare SKU fragment), `sku` exact,
 * `brand`+`status` and `categoryId`, each measured one request at a time over real HTTP, with the
 * listing query's own time in Postgres and its plan's indexes next to the figures.
 *
 *   npm run bench:admin-list                          # in-process service, 20k products seeded
 *   npm run bench:admin-list -- --products 100000 --keep   # ~2-3 min of seeding on 2 cores
 *   npm run bench:admin-list -- --schema bench_1a2b3c4d --no-seed   # a kept catalog again
 *
 * At 1M products: seed once and keep it (`--products 1000000 --keep`, about 20-25 min on 2
 * cores: the seed goes through the admin import like real data), then measure it as often as
 * needed with `--schema <the kept schema> --no-seed`. `--url` measures a running catalog-write
 * instead (ADMIN_TOKENS; DATABASE_URL and DATABASE_SCHEMA reach its Postgres for the samples).
 * ANALYZE runs on products first so the planner knows the catalog's size.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildCatalogWriteApp } from '../services/catalog-write/app.js';
import { loadConfig } from '../shared/config/index.js';
import { createLogger } from '../shared/logging/logger.js';
import { migrate } from '../shared/stores/migrations.js';
import { postgresMigrationsDir } from '../shared/stores/migrations-dir.js';
import { postgresFromConfig } from '../shared/stores/open.js';
import { openPostgres, type Pool } from '../shared/stores/postgres.js';
import type { ProductListFilters } from '../shared/write-model/products/list-query.js';
import { DEFAULT_PUBLISHED_RATIO } from '../shared/write-model/seed/seed-data.js';
import { seedCatalog } from '../shared/write-model/seed/seed.js';
import {
  buildScenarios,
  planOf,
  queryString,
  sqlTimes,
  type Scenario,
} from './lib/admin-list-inputs.js';
import { HttpClient } from './lib/http-client.js';
import { interruptible } from './lib/interrupt.js';
import { isLoopbackHost, positiveInt, UsageError } from './lib/options.js';
import { machineInfo } from './lib/report.js';
import { summarize, type LatencySummary } from './lib/stats.js';
import { connectToUrl, startInProcess, type Target } from './lib/target.js';

const usage = `Usage: npm run bench:admin-list -- [options]

  --products N     seed N demo products first (default 20000; idempotent per --seed)
  --no-seed        measure the catalog as it is
  --seed N         demo catalog seed (default 42)
  --requests N     measured requests per scenario (default 200), after --warmup N (default 20)
  --schema NAME    serve this existing schema in process (migrated, never dropped)
  --url ORIGIN     a running catalog-write on this machine (ADMIN_TOKENS, DATABASE_SCHEMA)
  --keep           keep the in-process bench schema
`;

interface Options {
  readonly url: URL | undefined;
  readonly schema: string | undefined;
  readonly products: number | undefined;
  readonly seed: number;
  readonly requests: number;
  readonly warmup: number;
  readonly keep: boolean;
}

function parseOptions(argv: readonly string[]): Options | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      url: { type: 'string' },
      schema: { type: 'string' },
      products: { type: 'string' },
      'no-seed': { type: 'boolean', default: false },
      seed: { type: 'string' },
      requests: { type: 'string' },
      warmup: { type: 'string' },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';
  const url = values.url === undefined ? undefined : new URL(values.url);
  if (url !== undefined && !isLoopbackHost(url.hostname)) {
    throw new UsageError('--url must point at this machine');
  }
  if (values.schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(values.schema)) {
    throw new UsageError('--schema must be a lowercase SQL identifier');
  }
  if (values.schema !== undefined && (url !== undefined || values.keep)) {
    throw new UsageError('--schema is an in-process service on a kept schema: no --url, no --keep');
  }
  if (values['no-seed'] && values.products !== undefined) {
    throw new UsageError('give --products or --no-seed, not both');
  }
  return {
    url,
    schema: values.schema,
    products: values['no-seed']
      ? undefined
      : positiveInt(values.products ?? '20000', '--products', 10_000_000),
    seed: positiveInt(values.seed ?? '42', '--seed', 2 ** 31),
    requests: positiveInt(values.requests ?? '200', '--requests', 1_000_000),
    warmup: positiveInt(values.warmup ?? '20', '--warmup', 100_000),
    keep: values.keep,
  };
}

interface ScenarioResult {
  readonly name: string;
  readonly describe: string;
  readonly latencyMs: LatencySummary;
  readonly errors: number;
  readonly meanItems: number;
  /** The listing query alone in Postgres (EXPLAIN ANALYZE over sampled inputs). */
  readonly sqlMs: LatencySummary;
  /** Index names in the plan of the first input, and its top node. */
  readonly plan: { readonly indexes: readonly string[]; readonly top: string };
}

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

/** A catalog-write in this process on an existing schema (a kept catalog), never dropped. */
async function startOnSchema(schema: string): Promise<Target> {
  const token = `bench-${randomBytes(24).toString('base64url')}`;
  const config = loadConfig({
    ...process.env,
    LOG_LEVEL: 'silent',
    DATABASE_SCHEMA: schema,
    ADMIN_TOKENS: token,
  });
  const postgres = postgresFromConfig(config, 'catalog-write');
  await migrate(postgres.client, schema, postgresMigrationsDir);
  const app = await buildCatalogWriteApp({
    config,
    logger: createLogger('catalog-write', 'silent'),
    postgres,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return {
    mode: 'in-process',
    origin: new URL(`http://127.0.0.1:${port}`),
    token,
    schema,
    dbPoolMax: config.databasePoolMax,
    countOutbox: () => Promise.resolve(undefined),
    postgresVersion: async () => {
      const { rows } = await postgres.client.query<{ v: string }>('SHOW server_version');
      return rows[0]?.v;
    },
    close: async () => {
      await app.close();
      return { schemaDropped: false };
    },
  };
}

async function run(client: HttpClient, db: Pool, s: Scenario, o: Options, signal: AbortSignal) {
  const samples: number[] = [];
  let errors = 0;
  let items = 0;
  for (let i = 0; i < o.warmup + o.requests && !signal.aborted; i++) {
    const input = s.inputs[i % s.inputs.length] as ProductListFilters;
    const started = performance.now();
    const reply = await client.send({
      method: 'GET',
      path: `/admin/v1/products?${queryString(input)}`,
    });
    const elapsed = performance.now() - started;
    if (i < o.warmup) continue;
    samples.push(elapsed);
    if (reply.status !== 200) errors++;
    else items += (JSON.parse(reply.body) as { items: unknown[] }).items.length;
  }
  const result: ScenarioResult = {
    name: s.name,
    describe: s.describe,
    latencyMs: summarize(samples),
    errors,
    meanItems: samples.length === 0 ? 0 : items / samples.length,
    sqlMs: await sqlTimes(db, s.inputs, 30),
    plan: await planOf(db, s.inputs[0] as ProductListFilters),
  };
  return result;
}

const fmt = (v: number) => (v < 10 ? v.toFixed(2) : v.toFixed(1));

function table(results: readonly ScenarioResult[]): string {
  const head = ['scenario', 'n', 'err', 'items', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms'];
  head.push('sql p50', 'sql p99', 'indexes');
  const lines = results.map((r) => [
    r.name,
    String(r.latencyMs.count),
    String(r.errors),
    r.meanItems.toFixed(1),
    fmt(r.latencyMs.p50),
    fmt(r.latencyMs.p90),
    fmt(r.latencyMs.p99),
    fmt(r.latencyMs.max),
    fmt(r.sqlMs.p50),
    fmt(r.sqlMs.p99),
    r.plan.indexes.join(',') || 'seq scan',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  return [head, ...lines]
    .map((l) => l.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  '))
    .join('\n');
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (options === 'help') return void process.stdout.write(usage);
  const signal = interruptible(log, 'the bench schema is left behind');
  const target: Target = options.url
    ? await connectToUrl(options.url)
    : options.schema !== undefined
      ? await startOnSchema(options.schema)
      : await startInProcess({ keep: options.keep, dbPoolMax: undefined });
  const config = loadConfig(process.env);
  const side = openPostgres({
    url: config.databaseUrl,
    schema: target.schema,
    poolMax: 1,
    applicationName: 'bench',
  });
  const client = new HttpClient(target.origin, target.token, 1);
  try {
    let seeding: { products: number; ms: number } | undefined;
    if (options.products !== undefined) {
      log(`seeding ${options.products} products (seed ${options.seed}) through the admin API`);
      const started = Date.now();
      const report = await seedCatalog(
        {
          baseUrl: target.origin.origin,
          token: target.token,
          products: options.products,
          seed: options.seed,
          publishedRatio: DEFAULT_PUBLISHED_RATIO,
        },
        { output: { line: () => undefined, progress: (text) => log(text) } },
      );
      if (report.error !== undefined) throw new Error(`seeding failed: ${report.error}`);
      seeding = { products: report.accepted, ms: Date.now() - started };
      log(`seeded ${report.accepted} new products in ${(seeding.ms / 1000).toFixed(1)} s`);
    }
    await side.client.query('ANALYZE products');
    const { rows } = await side.client.query<{ total: string; live: string }>(
      "SELECT count(*) AS total, count(*) FILTER (WHERE status <> 'deleted') AS live FROM products",
    );
    const live = Number(rows[0]?.live ?? 0);
    log(`catalog: ${rows[0]?.total} products, ${live} live; sampling inputs and deep cursors`);
    const scenarios = await buildScenarios(side.client, live);
    const results: ScenarioResult[] = [];
    for (const scenario of scenarios) {
      if (signal.aborted) break;
      log(`${scenario.name}: ${options.warmup} warm-up + ${options.requests} requests`);
      results.push(await run(client, side.client, scenario, options, signal));
    }
    process.stdout.write(`${table(results)}\n`);
    const dir = fileURLToPath(new URL('results/', import.meta.url));
    await mkdir(dir, { recursive: true });
    const file = join(dir, `admin-list-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    const machine = machineInfo(await target.postgresVersion());
    await writeFile(
      file,
      `${JSON.stringify({ catalog: { total: Number(rows[0]?.total), live }, seeding, settings: options, machine, results }, null, 2)}\n`,
    );
    log(`results written to ${file}`);
  } finally {
    client.close();
    await side.close();
    const closed = await target.close();
    if (!closed.schemaDropped && !options.url) log(`kept schema ${target.schema}`);
  }
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    process.stderr.write(`${error.message}\n\n${usage}`);
    process.exit(2);
  }
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});

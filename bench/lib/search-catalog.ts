/**
 * The catalog of bench:search: seeded through the import path (`aisle seed`'s own function, the
 * path a 1M catalog takes too), or reused from an earlier `--reuse` run. A reused search index
 * built from another search template or document shape is rebuilt first with `aisle rebuild
 * search` (the operator's path for a new template), so a run always measures the code it runs.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { detailKeys } from '../../shared/read-models/detail/document.js';
import { projectPath, projectRoot } from '../../shared/paths.js';
import { closeRedis, createRedis, type Redis } from '../../shared/stores/redis.js';
import { openSearch } from '../../shared/stores/search/open.js';
import { seedCatalog, type SeedReport } from '../../shared/write-model/seed/seed.js';
import { DEFAULT_PUBLISHED_RATIO } from '../../shared/write-model/seed/seed-data.js';
import type { Pipeline } from './pipeline.js';

/** The fixed namespace of a kept catalog: one per size, seed and share of products with variants. */
export const reusableNamespace = (products: number, seed: number, variantShare = 0): string =>
  `bench_search_${products}_s${seed}${variantShare > 0 ? `_v${Math.round(variantShare * 100)}` : ''}`;

export interface CatalogReport {
  readonly reused: boolean;
  readonly published: number;
  /** Products that sell through variants, and their variants (from the write model). */
  readonly withVariants: number;
  readonly variants: number;
  readonly seeding?: SeedReport;
  /** A reused index whose template or document had changed was rebuilt first. */
  readonly rebuilt: boolean;
  readonly settleMs: number;
}

/** What a search index was built from: the template and the document code. */
function searchFingerprint(): string {
  const hash = createHash('sha256');
  for (const file of ['products.template.json', 'document.ts']) {
    try {
      hash.update(readFileSync(projectPath('shared', 'read-models', 'search', file)));
    } catch {
      hash.update(`missing ${file}`);
    }
  }
  return hash.digest('hex').slice(0, 16);
}

const fingerprintKey = (prefix: string) => `${prefix}:bench:search-fingerprint`;

async function count(pipeline: Pipeline, where: string): Promise<number> {
  const { rows } = await pipeline.admin.query<{ n: string }>(
    `SELECT count(*) AS n FROM products ${where}`,
  );
  return Number(rows[0]?.n ?? 0);
}

async function countVariants(pipeline: Pipeline): Promise<{ products: number; variants: number }> {
  const { rows } = await pipeline.admin.query<{ products: string; variants: string }>(
    'SELECT count(DISTINCT product_id) AS products, count(*) AS variants FROM product_variants',
  );
  return { products: Number(rows[0]?.products ?? 0), variants: Number(rows[0]?.variants ?? 0) };
}

interface CatalogShape {
  readonly products: number;
  readonly seed: number;
  readonly variantShare: number;
}

async function seed(
  pipeline: Pipeline,
  { products, seed: seedNumber, variantShare }: CatalogShape,
  log: (line: string) => void,
): Promise<SeedReport> {
  const withVariants = variantShare > 0 ? `, ${variantShare * 100}% with variants` : '';
  log(
    `seeding ${products} products (seed ${seedNumber}${withVariants}) through POST /admin/v1/imports`,
  );
  const report = await seedCatalog(
    {
      baseUrl: pipeline.writeOrigin.origin,
      token: pipeline.token,
      products,
      seed: seedNumber,
      publishedRatio: DEFAULT_PUBLISHED_RATIO,
      variantShare,
    },
    {
      output: { line: () => undefined, progress: (text) => process.stderr.write(`${text}\n`) },
      progressStream: process.stderr,
    },
  );
  if (report.state !== 'completed' || report.rejected > 0) {
    throw new Error(
      `seeding ended ${report.state} with ${report.rejected} rejected lines` +
        (report.error === undefined ? '' : ` (${report.error})`),
    );
  }
  log(
    `seeded in ${(report.durationMs / 1000).toFixed(1)} s (${report.productsPerSecond.toFixed(0)}/s)`,
  );
  return report;
}

/** `aisle rebuild search` on the pipeline's namespaces, while the services run. */
function rebuildSearch(pipeline: Pipeline, log: (line: string) => void): Promise<void> {
  log('the reused index was built from another search template or document: rebuilding it');
  const { namespaces } = pipeline;
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(projectRoot, 'services', 'ops-cli', 'main.ts'), 'rebuild', 'search'],
    {
      cwd: projectRoot,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: {
        ...process.env,
        LOG_LEVEL: 'warn',
        DATABASE_SCHEMA: namespaces.databaseSchema,
        REDIS_KEY_PREFIX: namespaces.redisKeyPrefix,
        SEARCH_INDEX_PREFIX: namespaces.searchIndexPrefix,
        CLICKHOUSE_DATABASE: namespaces.clickhouseDatabase,
      },
    },
  );
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`aisle rebuild search exited with ${code}`)),
    );
  });
}

async function settle(
  pipeline: Pipeline,
  redis: Redis,
  published: number,
  timeoutMs: number,
  signal: AbortSignal,
  log: (line: string) => void,
): Promise<number> {
  const search = openSearch(pipeline.config);
  const started = performance.now();
  try {
    for (;;) {
      const answer = await search.client.search(pipeline.alias, {
        size: 0,
        track_total_hits: true,
        query: { bool: { filter: [{ term: { visible: true } }] } },
      });
      const total = answer.hits.total;
      const visible = typeof total === 'number' ? total : total.value;
      const tree = await redis.exists(detailKeys.categories(pipeline.config.redisKeyPrefix));
      const elapsed = performance.now() - started;
      if (visible === published && tree === 1) return elapsed;
      log(`settling ${(elapsed / 1000).toFixed(0)} s: ${visible}/${published} searchable`);
      if (signal.aborted) throw new Error('interrupted while the catalog settled');
      if (elapsed > timeoutMs) {
        throw new Error(`only ${visible}/${published} products searchable after ${timeoutMs} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  } finally {
    await search.close();
  }
}

/** Seeds the catalog, or reuses the one the namespaces already hold; then waits until searchable. */
export async function ensureCatalog(
  pipeline: Pipeline,
  options: CatalogShape & { settleTimeoutMs: number },
  signal: AbortSignal,
  log: (line: string) => void,
): Promise<CatalogReport> {
  const existing = await count(pipeline, '');
  if (existing !== 0 && existing !== options.products) {
    throw new Error(
      `schema ${pipeline.namespaces.databaseSchema} holds ${existing} products, not ` +
        `${options.products}: drop it (--reuse --drop) or pick another --seed`,
    );
  }
  const reused = existing === options.products;
  const seeding = reused ? undefined : await seed(pipeline, options, log);
  if (reused) log(`reusing the ${existing} products of ${pipeline.namespaces.databaseSchema}`);
  const published = await count(pipeline, "WHERE status = 'published'");
  const variants = await countVariants(pipeline);
  if (variants.products > 0 !== options.variantShare > 0) {
    throw new Error(
      `schema ${pipeline.namespaces.databaseSchema} holds ${variants.products} products with ` +
        `variants, which --variant-share ${options.variantShare} does not describe`,
    );
  }
  const redis = createRedis(pipeline.config.redisUrl, 'command');
  redis.on('error', () => undefined);
  try {
    const key = fingerprintKey(pipeline.config.redisKeyPrefix);
    const fingerprint = searchFingerprint();
    const rebuilt = reused && (await redis.get(key)) !== fingerprint;
    if (rebuilt) await rebuildSearch(pipeline, log);
    const settleMs = await settle(pipeline, redis, published, options.settleTimeoutMs, signal, log);
    await redis.set(key, fingerprint);
    log(`${published} published products searchable (${(settleMs / 1000).toFixed(1)} s)`);
    return {
      reused,
      published,
      withVariants: variants.products,
      variants: variants.variants,
      ...(seeding === undefined ? {} : { seeding }),
      rebuilt,
      settleMs,
    };
  } finally {
    await closeRedis(redis);
  }
}

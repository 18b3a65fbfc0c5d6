/**
 * `aisle verify [--repair]`: compares every read model with what the write model implies
 * (DESIGN rule 6). Products are streamed from Postgres in keyset pages (never all at once); for
 * each page, each read model is read in bulk and every product is classified as in sync, missing,
 * stale (lower version), ahead (higher version: should never happen) or content mismatch (right
 * version, wrong bytes).
 *
 * A product that looks drifted is read again (write model and read model) before it counts, so a
 * change committed between the two reads is not reported. Changes still in the pipeline (see
 * `aisle status`) do show as stale: verify a quiet system, or re-run.
 *
 * --repair re-projects drifted products from the write model through the projections' own
 * version guards, so a newer event in flight always wins over a repair:
 *   search    -> external-versioned bulk index at product.version (an equal or newer document
 *                is left alone: content drift at the same version needs `aisle rebuild`)
 *   detail    -> the detail projection's compare-and-set, allowing an equal version to rewrite
 *   analytics -> one 'ProductSnapshotRepaired' row with the current snapshot, so max(version)
 *                matches
 */
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import type { Config } from '../config/index.js';
import type { ProductEvent, ProductSnapshot } from '../events/catalog-events.js';
import type { ProjectionName } from '../events/queues.js';
import { detailEtag, detailKeys, renderProductDetail } from './detail/document.js';
import { searchDocument } from './search/document.js';
import { openClickHouse, type ClickHouseClient } from '../stores/clickhouse.js';
import { clickhouseOptions, postgresFromConfig } from '../stores/open.js';
import type { Pool } from '../stores/postgres.js';
import { openRedis, type Redis } from '../stores/redis.js';
import { productIndexNames } from './search/index-setup.js';
import type { SearchEngine } from '../stores/search/engine.js';
import { openSearch } from '../stores/search/open.js';
import type { StoreHandle } from '../stores/store.js';
import { loadProduct } from '../write-model/products/repository.js';
import { catalogEventRow } from './analytics/projection.js';
import { detailProjection } from './detail/projection.js';
import {
  count,
  duration,
  mapLimit,
  positiveInteger,
  projectionsOption,
  type Output,
} from '../cli/output.js';

export const driftKinds = ['missing', 'stale', 'ahead', 'mismatch'] as const;
export type DriftKind = (typeof driftKinds)[number];

const driftLabels: Record<DriftKind, string> = {
  missing: 'missing',
  stale: 'stale',
  ahead: 'ahead',
  mismatch: 'content mismatch',
};

/** Example ids kept per kind of drift. */
const EXAMPLES = 20;
/** Repair errors kept per projection. */
const ERRORS = 5;

export interface ProjectionDrift {
  readonly counts: Record<DriftKind, number>;
  /** Up to 20 product ids per kind. */
  readonly examples: Record<DriftKind, string[]>;
  /** With --repair: drifted products whose repair took effect. */
  repaired: number;
  /** With --repair: drifted products left as they are (ahead, or an equal/newer version won). */
  unrepaired: number;
  readonly errors: string[];
}

export interface VerifyReport {
  readonly checked: number;
  readonly seconds: number;
  readonly repair: boolean;
  readonly projections: Readonly<Partial<Record<ProjectionName, ProjectionDrift>>>;
  /** True when any projection drifted (before repair); the CLI then exits with 1. */
  readonly drift: boolean;
  /** Outbox events not yet relayed when the scan ended: drift may include changes in flight. */
  readonly unpublishedAtEnd: number;
}

export interface VerifyOptions {
  readonly projections: readonly ProjectionName[];
  readonly repair: boolean;
  readonly json?: boolean;
  /** Products per keyset page. */
  readonly pageSize?: number;
  /** Concurrent single-product reads (Postgres, search). */
  readonly concurrency?: number;
}

/** The stores of the projections being verified; the others may be left out. */
export interface VerifyStores {
  readonly pool: Pool;
  readonly redis?: Redis;
  readonly search?: SearchEngine;
  readonly clickhouse?: ClickHouseClient;
  readonly redisKeyPrefix: string;
  readonly searchAlias: string;
}

export function parseVerifyArgs(args: readonly string[]): VerifyOptions {
  const { values } = parseArgs({
    args: [...args],
    options: {
      repair: { type: 'boolean', default: false },
      projection: { type: 'string' },
      json: { type: 'boolean', default: false },
      'page-size': { type: 'string' },
    },
  });
  return {
    projections: projectionsOption(values.projection),
    repair: values.repair,
    json: values.json,
    pageSize: positiveInteger('page-size', values['page-size'], 500),
  };
}

/** What one read model holds for a page of products, compared with the write model. */
interface Checker {
  /** The drifted products of the page and how; products in sync are absent. */
  check(products: readonly ProductSnapshot[]): Promise<Map<string, DriftKind>>;
  /** Re-projects products from the write model; resolves how many writes took effect. */
  repair(products: readonly ProductSnapshot[], errors: string[]): Promise<number>;
}

function versionDrift(
  stored: number | undefined,
  expected: number,
  contentMatches: () => boolean,
): DriftKind | undefined {
  if (stored === undefined) return 'missing';
  if (stored < expected) return 'stale';
  if (stored > expected) return 'ahead';
  return contentMatches() ? undefined : 'mismatch';
}

function drifted<T>(
  products: readonly ProductSnapshot[],
  stored: readonly T[],
  classify: (product: ProductSnapshot, stored: T) => DriftKind | undefined,
): Map<string, DriftKind> {
  const found = new Map<string, DriftKind>();
  products.forEach((product, i) => {
    const kind = classify(product, stored[i] as T);
    if (kind !== undefined) found.set(product.id, kind);
  });
  return found;
}

/** A synthetic event carrying the write model's snapshot, for projections that take events. */
function snapshotEvent(p: ProductSnapshot): ProductEvent {
  return {
    aggregate: 'product',
    eventId: randomUUID(),
    type: 'ProductDetailsChanged',
    productId: p.id,
    version: p.version,
    occurredAt: p.updatedAt,
    correlationId: 'aisle-verify-repair',
    snapshot: p,
    changes: { fields: [] },
  };
}

function searchChecker(engine: SearchEngine, alias: string, concurrency: number): Checker {
  return {
    async check(products) {
      // GET by id is real-time: no refresh needed to see the latest write.
      const docs = await mapLimit(products, concurrency, (p) => engine.getDocument(alias, p.id));
      return drifted(products, docs, (p, doc) =>
        versionDrift(doc?.version, p.version, () =>
          isDeepStrictEqual(doc?.source, searchDocument(p)),
        ),
      );
    },
    async repair(products, errors) {
      if (products.length === 0) return 0;
      const results = await engine.bulkIndex(
        alias,
        products.map((p) => ({ id: p.id, version: p.version, document: searchDocument(p) })),
      );
      let applied = 0;
      results.forEach((result, i) => {
        if (result.status >= 200 && result.status < 300) applied++;
        else if (result.status !== 409 && errors.length < ERRORS) {
          const reason = `${result.status} ${result.errorType ?? ''} ${result.reason ?? ''}`;
          errors.push(`${products[i]?.id ?? '?'}: ${reason.trim()}`);
        }
      });
      return applied;
    },
  };
}

function detailChecker(redis: Redis, prefix: string, concurrency: number): Checker {
  const repairing = detailProjection(redis, prefix, { overwriteEqual: true });
  return {
    async check(products) {
      // Issued together, so ioredis pipelines them on its one connection.
      const hashes = await Promise.all(
        products.map((p) =>
          redis.hmget(detailKeys.product(prefix, p.id), 'version', 'etag', 'body'),
        ),
      );
      return drifted(products, hashes, (p, [version, etag, body]) =>
        versionDrift(version === null ? undefined : Number(version), p.version, () => {
          if (p.status !== 'published') return body === '' && etag === '';
          const expected = renderProductDetail(p);
          return body === expected && etag === detailEtag(expected);
        }),
      );
    },
    async repair(products) {
      const changed = await mapLimit(products, concurrency, (p) =>
        repairing.apply(snapshotEvent(p)),
      );
      return changed.filter(Boolean).length;
    },
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The one place a value becomes ClickHouse SQL text (18.16 has no query parameters): only a
 * validated UUID, as a quoted literal. 18.16 compares a UUID column with string literals in IN.
 */
export function uuidLiteral(id: string): string {
  if (!UUID.test(id)) throw new Error(`not a UUID: ${JSON.stringify(id)}`);
  return `'${id}'`;
}

function analyticsChecker(clickhouse: ClickHouseClient): Checker {
  return {
    async check(products) {
      if (products.length === 0) return new Map();
      const result = await clickhouse.query({
        query: `SELECT toString(product_id) AS id, max(version) AS version
                  FROM catalog_events FINAL
                 WHERE product_id IN (${products.map((p) => uuidLiteral(p.id)).join(', ')})
                 GROUP BY product_id`,
        format: 'JSONEachRow',
      });
      const versions = new Map(
        (await result.json<{ id: string; version: string }>()).map((r) => [
          r.id.toLowerCase(),
          Number(r.version),
        ]),
      );
      const stored = products.map((p) => versions.get(p.id.toLowerCase()));
      // ClickHouse holds the event log, not a document: the version is all there is to compare.
      return drifted(products, stored, (p, version) =>
        versionDrift(version, p.version, () => true),
      );
    },
    async repair(products) {
      if (products.length === 0) return 0;
      await clickhouse.insert({
        table: 'catalog_events',
        values: products.map((p) => ({
          ...catalogEventRow(snapshotEvent(p)),
          event_type: 'ProductSnapshotRepaired',
        })),
        format: 'JSONEachRow',
      });
      return products.length;
    },
  };
}

function checkerFor(
  projection: ProjectionName,
  stores: VerifyStores,
  concurrency: number,
): Checker {
  const missing = (store: string) =>
    new Error(`verifying ${projection} needs the ${store} store, which was not opened`);
  switch (projection) {
    case 'search':
      if (stores.search === undefined) throw missing('search');
      return searchChecker(stores.search, stores.searchAlias, concurrency);
    case 'detail':
      if (stores.redis === undefined) throw missing('redis');
      return detailChecker(stores.redis, stores.redisKeyPrefix, concurrency);
    case 'analytics':
      if (stores.clickhouse === undefined) throw missing('clickhouse');
      return analyticsChecker(stores.clickhouse);
  }
}

async function idsAfter(pool: Pool, after: string | undefined, limit: number): Promise<string[]> {
  const { rows } =
    after === undefined
      ? await pool.query<{ id: string }>('SELECT id FROM products ORDER BY id LIMIT $1', [limit])
      : await pool.query<{ id: string }>(
          'SELECT id FROM products WHERE id > $1 ORDER BY id LIMIT $2',
          [after, limit],
        );
  return rows.map((r) => r.id);
}

async function loadProducts(
  pool: Pool,
  ids: readonly string[],
  concurrency: number,
): Promise<ProductSnapshot[]> {
  const loaded = await mapLimit(ids, concurrency, (id) => loadProduct(pool, id, false));
  return loaded.filter((p): p is ProductSnapshot => p !== undefined);
}

function emptyDrift(): ProjectionDrift {
  const zero = () => ({ missing: 0, stale: 0, ahead: 0, mismatch: 0 });
  return {
    counts: zero(),
    examples: { missing: [], stale: [], ahead: [], mismatch: [] },
    repaired: 0,
    unrepaired: 0,
    errors: [],
  };
}

const driftTotal = (d: ProjectionDrift): number => driftKinds.reduce((n, k) => n + d.counts[k], 0);

/** Scans, reports and (with --repair) repairs; prints the report and returns it. */
export async function verify(
  stores: VerifyStores,
  options: VerifyOptions,
  out: Output,
): Promise<VerifyReport> {
  const pageSize = options.pageSize ?? 500;
  const concurrency = options.concurrency ?? 8;
  const checkers = options.projections.map(
    (projection) => [projection, checkerFor(projection, stores, concurrency)] as const,
  );
  const drift = Object.fromEntries(
    options.projections.map((projection) => [projection, emptyDrift()]),
  ) as Partial<Record<ProjectionName, ProjectionDrift>>;

  const started = Date.now();
  const { rows } = await stores.pool.query<{ n: string }>('SELECT count(*) AS n FROM products');
  const total = Number(rows[0]?.n ?? 0);
  let checked = 0;
  let lastProgress = 0;
  let lastShown = -1;
  const progress = (final: boolean) => {
    const now = Date.now();
    if (final ? lastShown === checked : now - lastProgress < 1_000) return;
    lastProgress = now;
    lastShown = checked;
    const rate = checked / Math.max((now - started) / 1000, 0.001);
    const percent = total === 0 ? 100 : Math.min(100, Math.floor((checked / total) * 100));
    out.progress(
      `verify: ${count(checked)} / ${count(total)} products (${percent}%), ${count(Math.round(rate))}/s`,
    );
  };

  // The next page is read from Postgres while the read models are checked for this one.
  const readPage = async (after: string | undefined) => {
    const ids = await idsAfter(stores.pool, after, pageSize);
    if (ids.length === 0) return undefined;
    return {
      last: ids[ids.length - 1],
      products: await loadProducts(stores.pool, ids, concurrency),
    };
  };
  let next = readPage(undefined);
  for (;;) {
    const page = await next;
    if (page === undefined) break;
    next = readPage(page.last);
    next.catch(() => undefined); // awaited on the next turn; handled here if this turn throws
    const { products } = page;
    const suspects = await Promise.all(checkers.map(([, checker]) => checker.check(products)));

    const suspectIds = [...new Set(suspects.flatMap((found) => [...found.keys()]))];
    if (suspectIds.length > 0) {
      // A second look, so a change committed between the two reads is not reported as drift.
      const fresh = new Map(
        (await loadProducts(stores.pool, suspectIds, concurrency)).map((p) => [p.id, p]),
      );
      await Promise.all(
        checkers.map(async ([projection, checker], i) => {
          const again = [...(suspects[i] ?? new Map<string, DriftKind>()).keys()]
            .map((id) => fresh.get(id))
            .filter((p): p is ProductSnapshot => p !== undefined);
          const confirmed = await checker.check(again);
          const record = drift[projection] ?? emptyDrift();
          for (const [id, kind] of confirmed) {
            record.counts[kind]++;
            if (record.examples[kind].length < EXAMPLES) record.examples[kind].push(id);
          }
          if (!options.repair || confirmed.size === 0) return;
          // A read model ahead of the write model cannot be lowered through a version guard.
          const repairable = again.filter((p) => {
            const kind = confirmed.get(p.id);
            return kind !== undefined && kind !== 'ahead';
          });
          let repaired = 0;
          try {
            repaired = await checker.repair(repairable, record.errors);
          } catch (error) {
            if (record.errors.length < ERRORS)
              record.errors.push(error instanceof Error ? error.message : String(error));
          }
          record.repaired += repaired;
          record.unrepaired += confirmed.size - repaired;
        }),
      );
    }
    checked += products.length;
    progress(false);
  }
  progress(true);

  const unpublished = await stores.pool.query<{ n: string }>(
    'SELECT count(*) AS n FROM outbox WHERE published_at IS NULL',
  );
  const report: VerifyReport = {
    checked,
    seconds: (Date.now() - started) / 1000,
    repair: options.repair,
    projections: drift,
    drift: Object.values(drift).some((d) => driftTotal(d) > 0),
    unpublishedAtEnd: Number(unpublished.rows[0]?.n ?? 0),
  };
  printVerifyReport(report, options, out);
  return report;
}

export function printVerifyReport(report: VerifyReport, options: VerifyOptions, out: Output): void {
  if (options.json === true) {
    out.line(JSON.stringify(report, null, 2));
    return;
  }
  const rate = Math.round(report.checked / Math.max(report.seconds, 0.001));
  out.line(
    `verified ${count(report.checked)} products in ${duration(report.seconds * 1000)} (${count(rate)}/s)`,
  );
  const width = Math.max(...options.projections.map((p) => p.length));
  for (const projection of options.projections) {
    const d = report.projections[projection];
    if (d === undefined) continue;
    if (driftTotal(d) === 0) {
      out.line(`${projection.padEnd(width)}  in sync`);
      continue;
    }
    out.line(
      `${projection.padEnd(width)}  drift: ${driftKinds.map((k) => `${count(d.counts[k])} ${driftLabels[k]}`).join(', ')}`,
    );
    for (const kind of driftKinds) {
      if (d.counts[kind] === 0) continue;
      const more = d.counts[kind] > d.examples[kind].length ? ', …' : '';
      out.line(`  ${driftLabels[kind]}: ${d.examples[kind].join(', ')}${more}`);
    }
    if (report.repair) {
      out.line(`  repaired ${count(d.repaired)} of ${count(d.repaired + d.unrepaired)}`);
      if (d.unrepaired > 0) {
        out.line(
          `  ${count(d.unrepaired)} left: the read model holds an equal or newer version` +
            (projection === 'search' ? ' (rebuild the index to rewrite it)' : ''),
        );
      }
      for (const error of d.errors) out.line(`  repair error: ${error}`);
    }
  }
  if (!report.drift) {
    out.line('no drift');
    return;
  }
  const drifted = options.projections.filter((p) => {
    const d = report.projections[p];
    return d !== undefined && driftTotal(d) > 0;
  });
  out.line(
    `drift in ${drifted.join(', ')}${report.repair ? ' (repair attempted: re-run verify)' : ''}`,
  );
  if (report.unpublishedAtEnd > 0) {
    out.line(
      `note: ${count(report.unpublishedAtEnd)} outbox events were still unpublished; ` +
        'changes in flight show as stale (see aisle status)',
    );
  }
}

/** The CLI entry: opens Postgres and the stores of the projections to verify. */
export async function runVerify(
  config: Config,
  options: VerifyOptions,
  out: Output,
): Promise<VerifyReport> {
  const wanted = new Set(options.projections);
  const handles: StoreHandle<unknown>[] = [];
  const open = <T>(handle: StoreHandle<T>): T => {
    handles.push(handle);
    return handle.client;
  };
  try {
    const stores: VerifyStores = {
      pool: open(postgresFromConfig(config, 'aisle-verify')),
      redisKeyPrefix: config.redisKeyPrefix,
      searchAlias: productIndexNames(config.searchIndexPrefix).alias,
      ...(wanted.has('search') ? { search: open(openSearch(config)) } : {}),
      ...(wanted.has('detail') ? { redis: open(openRedis(config.redisUrl)) } : {}),
      ...(wanted.has('analytics')
        ? { clickhouse: open(openClickHouse(clickhouseOptions(config))) }
        : {}),
    };
    return await verify(stores, options, out);
  } finally {
    await Promise.allSettled(handles.map((h) => h.close()));
  }
}

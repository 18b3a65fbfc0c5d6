/**
 * `aisle verify`: compares every read model with what the write model implies (DESIGN rule 6).
 * Products are streamed from Postgres in keyset pages (never all at once); for each page, each
 * read model's checker (search/verify.ts, detail/verify.ts, analytics/verify.ts) reads its store
 * in bulk and classifies every product as in sync, missing, stale (lower version), ahead (higher
 * version: should never happen) or content mismatch (right version, wrong bytes).
 *
 * A product that looks drifted is read again (write model and read model) before it counts, so a
 * change committed between the two reads is not reported. Changes still in the pipeline (see
 * `aisle status`) do show as stale: verify a quiet system, or re-run.
 *
 * With `repair`, drifted products are re-projected from the write model through each read
 * model's own version guard, so a newer event in flight always wins over a repair.
 *
 * Merchandising (merchandising/verify.ts) is not kept per product: its synonym set and rules are
 * compared whole after the product scan, and its findings name the rule (or `synonyms`).
 */
import type { ProductSnapshot } from '../events/catalog-events.js';
import { projectionNames, type ProjectionName } from '../events/queues.js';
import { mapLimit } from '../map-limit.js';
import type { ClickHouseClient } from '../stores/clickhouse.js';
import type { Pool } from '../stores/postgres.js';
import type { Redis } from '../stores/redis.js';
import type { SearchEngine } from '../stores/search/engine.js';
import { countRows, existingIds } from '../write-model/pages.js';
import { loadProduct } from '../write-model/products/repository.js';
import { analyticsChecker } from './analytics/verify.js';
import { detailChecker } from './detail/verify.js';
import {
  driftKinds,
  MAX_REPAIR_ERRORS,
  orphanIds,
  type DriftChecker,
  type DriftKind,
  type WholeModelChecker,
} from './drift.js';
import { merchandisingChecker } from './merchandising/verify.js';
import { searchChecker } from './search/verify.js';

export { driftKinds, type DriftKind } from './drift.js';

/** What `aisle verify` checks: the product projections, and merchandising beside detail. */
export const readModelNames = [...projectionNames, 'merchandising'] as const;
export type ReadModelName = (typeof readModelNames)[number];

const isProjection = (name: ReadModelName): name is ProjectionName =>
  projectionNames.includes(name as ProjectionName);

/** Example ids kept per kind of drift. */
const EXAMPLES = 20;

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
  readonly projections: Readonly<Partial<Record<ReadModelName, ProjectionDrift>>>;
  /** True when any projection drifted (before repair); the CLI then exits with 1. */
  readonly drift: boolean;
  /** Outbox events not yet relayed when the scan ended: drift may include changes in flight. */
  readonly unpublishedAtEnd: number;
}

export interface VerifyOptions {
  readonly projections: readonly ReadModelName[];
  readonly repair: boolean;
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

function checkerFor(
  projection: ProjectionName,
  stores: VerifyStores,
  concurrency: number,
): DriftChecker {
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
      return analyticsChecker(stores.clickhouse, stores.pool);
  }
}

function wholeCheckerFor(stores: VerifyStores, pageSize: number): WholeModelChecker {
  if (stores.redis === undefined) {
    throw new Error('verifying merchandising needs the redis store, which was not opened');
  }
  return merchandisingChecker(stores.redis, stores.pool, stores.redisKeyPrefix, pageSize);
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
  const zero = () => ({ missing: 0, stale: 0, ahead: 0, mismatch: 0, orphan: 0 });
  return {
    counts: zero(),
    examples: { missing: [], stale: [], ahead: [], mismatch: [], orphan: [] },
    repaired: 0,
    unrepaired: 0,
    errors: [],
  };
}

/**
 * The other direction: read-model documents of ids the write model does not have (products are
 * never removed from Postgres, so such an id was never a product there). Repair removes them.
 */
async function findOrphans(
  pool: Pool,
  checker: DriftChecker,
  record: ProjectionDrift,
  options: VerifyOptions,
  pageSize: number,
): Promise<void> {
  for await (const ids of checker.orphans.ids(pageSize)) {
    const orphans = orphanIds(ids, await existingIds(pool, 'products', ids));
    if (orphans.length === 0) continue;
    record.counts.orphan += orphans.length;
    const room = EXAMPLES - record.examples.orphan.length;
    if (room > 0) record.examples.orphan.push(...orphans.slice(0, room));
    if (!options.repair) continue;
    try {
      const removed = await checker.orphans.remove(orphans);
      record.repaired += removed;
      record.unrepaired += orphans.length - removed;
    } catch (error) {
      record.unrepaired += orphans.length;
      recordRepairError(record, error);
    }
  }
}

function recordFinding(record: ProjectionDrift, id: string, kind: DriftKind): void {
  record.counts[kind]++;
  if (record.examples[kind].length < EXAMPLES) record.examples[kind].push(id);
}

function recordRepairError(record: ProjectionDrift, error: unknown): void {
  if (record.errors.length < MAX_REPAIR_ERRORS)
    record.errors.push(error instanceof Error ? error.message : String(error));
}

/** A read model compared whole: found twice before it counts; repaired unless it is ahead. */
async function checkWhole(
  checker: WholeModelChecker,
  record: ProjectionDrift,
  repair: boolean,
): Promise<void> {
  const first = await checker.check();
  if (first.size === 0) return;
  // A second look, so a change committed between the two reads is not reported as drift.
  const confirmed = [...(await checker.check())].filter(([item]) => first.has(item));
  for (const [item, kind] of confirmed) recordFinding(record, item, kind);
  if (!repair || confirmed.length === 0) return;
  let repaired = 0;
  try {
    repaired = await checker.repair(
      confirmed.filter(([, kind]) => kind !== 'ahead').map(([item]) => item),
    );
  } catch (error) {
    recordRepairError(record, error);
  }
  record.repaired += repaired;
  record.unrepaired += confirmed.length - repaired;
}

export const driftTotal = (d: ProjectionDrift): number =>
  driftKinds.reduce((n, k) => n + d.counts[k], 0);

/** What the scan reports as it goes: products checked so far of the total at the start. */
export type VerifyProgress = (checked: number, total: number, final: boolean) => void;

/** Scans every product, reports drift per read model and (with `repair`) repairs it. */
export async function scanForDrift(
  stores: VerifyStores,
  options: VerifyOptions,
  onProgress: VerifyProgress = () => undefined,
): Promise<VerifyReport> {
  const pageSize = options.pageSize ?? 500;
  const concurrency = options.concurrency ?? 8;
  const checkers = options.projections
    .filter(isProjection)
    .map((projection) => [projection, checkerFor(projection, stores, concurrency)] as const);
  const wholeCheckers = options.projections.includes('merchandising')
    ? [['merchandising', wholeCheckerFor(stores, pageSize)] as const]
    : [];
  const drift = Object.fromEntries(
    options.projections.map((projection) => [projection, emptyDrift()]),
  ) as Partial<Record<ReadModelName, ProjectionDrift>>;

  const started = Date.now();
  const total = checkers.length === 0 ? 0 : await countRows(stores.pool, 'products');
  let checked = 0;
  // The next page is read from Postgres while the read models are checked for this one.
  const readPage = async (after: string | undefined) => {
    const ids = await idsAfter(stores.pool, after, pageSize);
    if (ids.length === 0) return undefined;
    return {
      last: ids[ids.length - 1],
      products: await loadProducts(stores.pool, ids, concurrency),
    };
  };
  // Without a product projection to check (merchandising alone), products are not read at all.
  let next = checkers.length === 0 ? Promise.resolve(undefined) : readPage(undefined);
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
          for (const [id, kind] of confirmed) recordFinding(record, id, kind);
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
            recordRepairError(record, error);
          }
          record.repaired += repaired;
          record.unrepaired += confirmed.size - repaired;
        }),
      );
    }
    checked += products.length;
    onProgress(checked, total, false);
  }
  onProgress(checked, total, true);

  await Promise.all(
    checkers.map(([projection, checker]) =>
      findOrphans(stores.pool, checker, drift[projection] ?? emptyDrift(), options, pageSize),
    ),
  );
  for (const [model, checker] of wholeCheckers) {
    await checkWhole(checker, drift[model] ?? emptyDrift(), options.repair);
  }

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
  return report;
}

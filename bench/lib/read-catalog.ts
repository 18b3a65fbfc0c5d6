/**
 * The seeded catalog of bench:read: rebuilt on the client side from the seed's deterministic
 * generators (so the bench knows every published id, brand, price and word without asking the
 * service), seeded through the admin API by the `aisle seed` command's own function, and waited
 * for until the search index and the detail read model hold all of it.
 */
import { performance } from 'node:perf_hooks';
import type { Writable } from 'node:stream';
import { seedCatalog, type SeedReport } from '../../shared/write-model/seed/seed.js';
import {
  DEFAULT_PUBLISHED_RATIO,
  generateProduct,
  seedCategories,
} from '../../shared/write-model/seed/seed-data.js';
import { detailKeys } from '../../shared/read-models/detail/document.js';
import { closeRedis, createRedis } from '../../shared/stores/redis.js';
import { openSearch } from '../../shared/stores/search/open.js';
import type { Pipeline } from './pipeline.js';

/** What the bench needs to know about one published product. */
export interface CatalogProduct {
  readonly id: string;
  readonly brand: string;
  /** The leaf category first, then its parent and the root. */
  readonly categoryIds: readonly string[];
  readonly priceMinor: number;
  readonly color: string;
  readonly material: string;
  readonly adjective: string;
  readonly noun: string;
  readonly inStock: boolean;
  /** The warehouses it has stock rows in (at least one). */
  readonly warehouses: readonly string[];
}

export interface CatalogModel {
  readonly seed: number;
  readonly products: number;
  readonly published: readonly CatalogProduct[];
}

/** "Northpeak Breathable Stretch Nylon Yoga Pants" → adjective "breathable", noun "yoga pants". */
function nameParts(
  name: string,
  brand: string,
  material: string,
): { adjective: string; noun: string } {
  const rest = name.slice(brand.length + 1).toLowerCase();
  const at = rest.indexOf(` ${material.toLowerCase()} `);
  if (at < 0) {
    const words = rest.split(' ');
    return { adjective: words[0] ?? '', noun: words[words.length - 1] ?? '' };
  }
  return { adjective: rest.slice(0, at), noun: rest.slice(at + material.length + 2) };
}

/** Every published product of `seed` among the first `count`, as the seed command sends them. */
export function buildCatalogModel(seed: number, count: number): CatalogModel {
  const parentOf = new Map(seedCategories().map((c) => [c.id, c.parentId]));
  const ancestry = (leaf: string): string[] => {
    const ids: string[] = [];
    for (let id: string | null | undefined = leaf; id; id = parentOf.get(id)) ids.push(id);
    return ids;
  };
  const published: CatalogProduct[] = [];
  for (let index = 0; index < count; index++) {
    const p = generateProduct(seed, index, { publishedRatio: DEFAULT_PUBLISHED_RATIO });
    if (p.status !== 'published' || p.price === undefined) continue;
    const stock = Object.entries(p.stock);
    published.push({
      id: p.id,
      brand: p.brand,
      categoryIds: ancestry(p.categoryId),
      priceMinor: p.price.amountMinor,
      color: p.attributes.color,
      material: p.attributes.material.toLowerCase(),
      ...nameParts(p.name, p.brand, p.attributes.material),
      inStock: stock.some(([, n]) => n > 0),
      warehouses: stock.map(([w]) => w),
    });
  }
  return { seed, products: count, published };
}

/** The seed command's own function against the bench's catalog-write; progress on stderr. */
export async function seedThroughAdminApi(
  pipeline: Pipeline,
  model: CatalogModel,
  progress: Writable & { isTTY?: boolean },
): Promise<SeedReport> {
  const report = await seedCatalog(
    {
      baseUrl: pipeline.writeOrigin.origin,
      token: pipeline.token,
      products: model.products,
      seed: model.seed,
      publishedRatio: DEFAULT_PUBLISHED_RATIO,
    },
    {
      // The summary lines are not printed (the bench reports its own); progress bars are.
      output: { line: () => undefined, progress: (text) => progress.write(`${text}\n`) },
      progressStream: progress,
    },
  );
  if (report.state !== 'completed' || report.rejected > 0) {
    const reasons = report.otherRejections
      .slice(0, 3)
      .map((r) => `line ${r.line}: ${r.reason}`)
      .join('; ');
    throw new Error(
      `seeding ended ${report.state} with ${report.rejected} rejected lines` +
        `${report.error === undefined ? '' : ` (${report.error})`}${reasons === '' ? '' : `: ${reasons}`}`,
    );
  }
  return report;
}

export interface SettleResult {
  readonly ms: number;
  readonly searchVisible: number;
  readonly detailPresent: number;
  readonly categoriesPresent: boolean;
}

/**
 * Waits until the search index counts every published product as visible (a real _search, so
 * after a refresh), every detail key exists, and the category tree is in Redis. One progress
 * line every 2 s; throws at the deadline or on abort.
 */
export async function waitUntilSettled(
  pipeline: Pipeline,
  model: CatalogModel,
  timeoutMs: number,
  signal: AbortSignal,
  log: (line: string) => void,
): Promise<SettleResult> {
  const { config } = pipeline;
  const expected = model.published.length;
  const search = openSearch(config);
  const redis = createRedis(config.redisUrl, 'command');
  redis.on('error', () => undefined);
  const started = performance.now();
  let pending = model.published.map((p) => p.id);
  let visible = 0;
  let categories = false;
  try {
    for (;;) {
      const answer = await search.client.search(pipeline.alias, {
        size: 0,
        track_total_hits: true,
        query: { bool: { filter: [{ term: { visible: true } }] } },
      });
      const total = answer.hits.total;
      visible = typeof total === 'number' ? total : total.value;
      // Only the keys not seen yet are asked again, in pipelined batches.
      const still: string[] = [];
      for (let i = 0; i < pending.length; i += 2000) {
        const batch = pending.slice(i, i + 2000);
        const exists = redis.pipeline();
        for (const id of batch) exists.exists(detailKeys.product(config.redisKeyPrefix, id));
        const replies = (await exists.exec()) ?? [];
        batch.forEach((id, k) => {
          if (replies[k]?.[1] !== 1) still.push(id);
        });
      }
      pending = still;
      categories ||= (await redis.exists(detailKeys.categories(config.redisKeyPrefix))) === 1;
      const elapsed = performance.now() - started;
      log(
        `settling ${(elapsed / 1000).toFixed(0)} s: search ${visible}/${expected} visible, ` +
          `detail ${expected - pending.length}/${expected}, category tree ${categories ? 'yes' : 'no'}`,
      );
      if (visible >= expected && pending.length === 0 && categories) {
        return {
          ms: elapsed,
          searchVisible: visible,
          detailPresent: expected,
          categoriesPresent: true,
        };
      }
      if (signal.aborted) throw new Error('interrupted while the catalog settled');
      if (elapsed > timeoutMs) {
        throw new Error(
          `the catalog did not settle within ${(timeoutMs / 1000).toFixed(0)} s: search ` +
            `${visible}/${expected}, detail ${expected - pending.length}/${expected}, ` +
            `category tree ${categories ? 'present' : 'missing'}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  } finally {
    await Promise.allSettled([search.close(), closeRedis(redis)]);
  }
}

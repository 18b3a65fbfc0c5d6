/**
 * `aisle rebuild detail`: every product and category re-rendered from Postgres into Redis, in
 * place, while the detail projector keeps applying live events.
 *
 * It writes through the projector's own compare-and-set scripts with `overwriteEqual`: a
 * document at the same version is rewritten (so a changed rendering, or a corrupted body, is
 * replaced), a newer version that a live event wrote meanwhile is never touched, and an older
 * one is replaced. Products that are not published get the tombstone, as from an event. Then
 * keys of products (and fields of categories) that Postgres does not have are removed, found
 * with SCAN / HSCAN (never KEYS: it blocks Redis).
 */
import type { Config } from '../../config/index.js';
import { silentProgress, type ProgressSink } from '../../cli/progress.js';
import { detailKeys } from './document.js';
import { removeCategories } from './category-revision.js';
import type { Pool } from '../../stores/postgres.js';
import type { Redis } from '../../stores/redis.js';
import { orphanIds } from '../drift.js';
import { detailProjection } from './projection.js';
import { productKeyIds } from './scan.js';
import { acquireRebuildLock, rebuildLockKey } from '../rebuild-lock.js';
import { putReplacingCorrupt } from '../replace-corrupt.js';
import {
  categoryPage,
  countRows,
  existingIds,
  keysetPages,
  productPage,
} from '../../write-model/pages.js';

export interface DetailRebuildDeps {
  readonly config: Pick<Config, 'redisKeyPrefix'>;
  readonly redis: Redis;
  readonly pool: Pool;
}

export interface DetailRebuildOptions {
  readonly pageSize?: number;
  readonly progress?: ProgressSink;
  readonly signal?: AbortSignal;
}

export interface DetailRebuildReport {
  readonly products: number;
  readonly published: number;
  readonly tombstones: number;
  /** Products a live event had already moved past the version read from Postgres. */
  readonly newerLive: number;
  /** Products and categories whose stored value was unreadable (wrong type, bad version, not JSON) and was replaced. */
  readonly replacedCorrupt: number;
  readonly orphansRemoved: number;
  readonly categories: number;
  readonly categoryOrphansRemoved: number;
}

export { globEscape } from './scan.js';

export async function rebuildDetail(
  deps: DetailRebuildDeps,
  options: DetailRebuildOptions = {},
): Promise<DetailRebuildReport> {
  const { config, redis, pool } = deps;
  const prefix = config.redisKeyPrefix;
  const progress = options.progress ?? silentProgress;
  const pageSize = options.pageSize ?? 1_000;
  const lock = await acquireRebuildLock(redis, rebuildLockKey(prefix, 'detail'));
  const signal =
    options.signal === undefined ? lock.lost : AbortSignal.any([options.signal, lock.lost]);
  const projection = detailProjection(redis, prefix, { overwriteEqual: true });
  try {
    let total = await countRows(pool, 'products');
    progress.setTotal(total);
    let products = 0;
    let published = 0;
    let newerLive = 0;
    let replacedCorrupt = 0;
    const productKey = (id: string) => detailKeys.product(prefix, id);
    const pages = keysetPages((after) => productPage(pool, after, pageSize), pageSize, signal);
    for await (const page of pages) {
      const outcomes = await Promise.all(
        page.map((p) =>
          putReplacingCorrupt(
            () => projection.putProduct(p),
            () => redis.unlink(productKey(p.id)),
          ),
        ),
      );
      for (const [i, outcome] of outcomes.entries()) {
        if (page[i]?.status === 'published') published++;
        if (outcome === 'newer-live') newerLive++;
        if (outcome === 'replaced-corrupt') replacedCorrupt++;
      }
      products += page.length;
      if (products > total) progress.setTotal((total = products));
      progress.add(page.length);
    }

    progress.note('removing documents of products Postgres does not have');
    const orphansRemoved = await removeOrphanKeys(redis, pool, prefix, pageSize, signal);

    let categories = 0;
    const categoryPages = keysetPages(
      (after) => categoryPage(pool, after, pageSize),
      pageSize,
      signal,
    );
    for await (const page of categoryPages) {
      const outcomes = await Promise.all(
        page.map((c) =>
          putReplacingCorrupt(
            () => projection.putCategory(c),
            () => removeCategories(redis, prefix, [c.id]),
          ),
        ),
      );
      replacedCorrupt += outcomes.filter((o) => o === 'replaced-corrupt').length;
      categories += page.length;
    }
    const categoryOrphansRemoved = await removeOrphanCategories(redis, pool, prefix, pageSize);

    return {
      products,
      published,
      tombstones: products - published,
      newerLive,
      replacedCorrupt,
      orphansRemoved,
      categories,
      categoryOrphansRemoved,
    };
  } finally {
    await lock.release().catch(() => undefined);
  }
}

async function removeOrphanKeys(
  redis: Redis,
  pool: Pool,
  prefix: string,
  count: number,
  signal: AbortSignal,
): Promise<number> {
  let removed = 0;
  for await (const ids of productKeyIds(redis, prefix, count, signal)) {
    const orphans = orphanIds(ids, await existingIds(pool, 'products', ids));
    if (orphans.length > 0) {
      removed += await redis.unlink(...orphans.map((id) => detailKeys.product(prefix, id)));
    }
  }
  return removed;
}

async function removeOrphanCategories(
  redis: Redis,
  pool: Pool,
  prefix: string,
  count: number,
): Promise<number> {
  const key = detailKeys.categories(prefix);
  let removed = 0;
  let cursor = '0';
  do {
    const [next, flat] = await redis.hscan(key, cursor, 'COUNT', count);
    cursor = next;
    const fields = flat.filter((_, i) => i % 2 === 0);
    if (fields.length === 0) continue;
    const known = await existingIds(pool, 'categories', fields);
    const orphans = fields.filter((f) => !known.has(f.toLowerCase()));
    removed += await removeCategories(redis, prefix, orphans);
  } while (cursor !== '0');
  return removed;
}
